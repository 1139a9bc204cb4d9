package dev.strata.storage.redo.hash;

import dev.strata.storage.redo.page.Bytes;
import dev.strata.storage.redo.page.PageOps;
import dev.strata.storage.redo.RedoException;
import dev.strata.storage.redo.nbtree.IndexPage;

import java.util.Arrays;

/**
 * Hash index page structures ({@code hash.h}) and the page initialisations hash redo repeats.
 *
 * <p>Special space, HashPageOpaqueData (16 bytes at pd_special = 8176): hasho_prevblkno u32 @0, hasho_nextblkno
 * u32 @4, hasho_bucket u32 @8, hasho_flag u16 @12 (page type in the low 4 bits: UNUSED 0, OVERFLOW 1, BUCKET 2,
 * BITMAP 4, META 8; then BEING_POPULATED 0x10, BEING_SPLIT 0x20, NEEDS_SPLIT_CLEANUP 0x40, PAGE_HAS_DEAD_TUPLES
 * 0x80), hasho_page_id u16 = 0xFF80.
 *
 * <p>Metapage (block 0), HashMetaPageData at offset 24 (4544 bytes, so pd_lower = 4568): hashm_magic u32
 * (0x6440640) @0, hashm_version u32 (4) @4, hashm_ntuples float8 @8, hashm_ffactor u16 @16, hashm_bsize u16 @18,
 * hashm_bmsize u16 @20, hashm_bmshift u16 @22, hashm_maxbucket u32 @24, hashm_highmask @28, hashm_lowmask @32,
 * hashm_ovflpoint @36, hashm_firstfree @40, hashm_nmaps @44, hashm_procid @48, hashm_spares u32[98] @52,
 * hashm_mapp u32[1024] @444.
 *
 * <p>Bitmap page: the bitmap (uint32 words, bit n = word n/32, bit n%32) starts at offset 24; pd_lower = 24 + bmsize.
 */
final class HashPage {
    static final int SPECIAL_SIZE = 16;
    static final int PAGE_ID = 0xFF80;
    static final int INVALID_BUCKET = 0xFFFFFFFF;

    static final int LH_UNUSED_PAGE = 0;
    static final int LH_OVERFLOW_PAGE = 1;
    static final int LH_BUCKET_PAGE = 2;
    static final int LH_BITMAP_PAGE = 4;
    static final int LH_META_PAGE = 8;
    static final int LH_BUCKET_NEEDS_SPLIT_CLEANUP = 0x40;
    static final int LH_PAGE_HAS_DEAD_TUPLES = 0x80;
    static final int LH_PAGE_TYPE = 0xF;

    static final int META = PageOps.SIZE_OF_PAGE_HEADER;
    static final int M_NTUPLES = META + 8;
    static final int M_MAXBUCKET = META + 24;
    static final int M_HIGHMASK = META + 28;
    static final int M_LOWMASK = META + 32;
    static final int M_OVFLPOINT = META + 36;
    static final int M_FIRSTFREE = META + 40;
    static final int M_NMAPS = META + 44;
    static final int M_SPARES = META + 52;
    static final int M_MAPP = META + 444;
    static final int MAX_SPLITPOINTS = 98;
    static final int MAX_BITMAPS = 1024;
    static final int META_SIZE = 4544;

    private static final int HASH_MAGIC = 0x6440640;
    private static final int HASH_VERSION = 4;
    /** HashGetMaxBitmapSize: 8192 − (24 + 16). */
    private static final int MAX_BITMAP_SIZE = PageOps.BLCKSZ - 24 - SPECIAL_SIZE;

    private HashPage() {
    }

    static int opaque(byte[] page) {
        return IndexPage.opaque(page, SPECIAL_SIZE);
    }

    static int flag(byte[] page) {
        return Bytes.u16(page, opaque(page) + 12);
    }

    static void setFlag(byte[] page, int flag) {
        Bytes.putU16(page, opaque(page) + 12, flag);
    }

    static void setPrev(byte[] page, int blkno) {
        Bytes.putI32(page, opaque(page), blkno);
    }

    static void setNext(byte[] page, int blkno) {
        Bytes.putI32(page, opaque(page) + 4, blkno);
    }

    /** The opaque area must be where a hash page keeps it. */
    static void check(byte[] page) {
        if (IndexPage.special(page) != PageOps.BLCKSZ - SPECIAL_SIZE) {
            throw new RedoException("not a hash index page: pd_special is " + IndexPage.special(page));
        }
    }

    static void checkMeta(byte[] page) {
        check(page);
        if ((flag(page) & LH_PAGE_TYPE) != LH_META_PAGE) {
            throw new RedoException("not a hash metapage: hasho_flag 0x" + Integer.toHexString(flag(page)));
        }
    }

    /** {@code _hash_initbuf} with initpage: a fresh page whose opaque prevblkno holds {@code maxBucket}. */
    static void initBuf(byte[] page, int maxBucket, int numBucket, int flag) {
        IndexPage.pageInit(page, SPECIAL_SIZE);
        int o = opaque(page);
        Bytes.putI32(page, o, maxBucket);
        Bytes.putI32(page, o + 4, IndexPage.INVALID_BLOCK);
        Bytes.putI32(page, o + 8, numBucket);
        Bytes.putU16(page, o + 12, flag);
        Bytes.putU16(page, o + 14, PAGE_ID);
    }

    /** {@code _hash_initbitmapbuffer}: every bit set (free), pd_lower just past the bitmap. */
    static void initBitmap(byte[] page, int bmsize) {
        if (bmsize < 0 || bmsize > MAX_BITMAP_SIZE) {
            throw new RedoException("bitmap size " + bmsize + " does not fit a page");
        }
        initBuf(page, IndexPage.INVALID_BLOCK, INVALID_BUCKET, LH_BITMAP_PAGE);
        Arrays.fill(page, META, META + bmsize, (byte) 0xFF);
        IndexPage.setLower(page, META + bmsize);
    }

    /** SETBIT / CLRBIT on the bitmap page's bit {@code bit}. */
    static void setBitmapBit(byte[] page, int bit, boolean set) {
        if (bit < 0 || META + bit / 8 >= IndexPage.lower(page)) {
            throw new RedoException("bitmap bit " + bit + " is outside the bitmap");
        }
        int pos = META + bit / 8;
        int mask = 1 << (bit % 8);
        page[pos] = (byte) (set ? page[pos] | mask : page[pos] & ~mask);
    }

    /** {@code _hash_init_metabuffer}: the metapage of a new index sized for {@code numTuples}. */
    static void initMeta(byte[] page, double numTuples, int procid, int ffactor) {
        int numBuckets;
        double dnumbuckets = numTuples / ffactor;
        if (dnumbuckets <= 2.0) {
            numBuckets = 2;
        } else if (dnumbuckets >= (double) 0x40000000) {
            numBuckets = 0x40000000;
        } else {
            numBuckets = totalBuckets(spareIndex((long) dnumbuckets));
        }
        int spareIndex = spareIndex(numBuckets);
        initBuf(page, IndexPage.INVALID_BLOCK, INVALID_BUCKET, LH_META_PAGE);
        Bytes.putI32(page, META, HASH_MAGIC);
        Bytes.putI32(page, META + 4, HASH_VERSION);
        Bytes.putI64(page, M_NTUPLES, Double.doubleToRawLongBits(0.0));
        Bytes.putU16(page, META + 16, ffactor);
        Bytes.putU16(page, META + 18, MAX_BITMAP_SIZE);
        int lshift = 31 - Integer.numberOfLeadingZeros(MAX_BITMAP_SIZE);
        Bytes.putU16(page, META + 20, 1 << lshift);
        Bytes.putU16(page, META + 22, lshift + 3);
        Bytes.putI32(page, META + 48, procid);
        Bytes.putI32(page, M_MAXBUCKET, numBuckets - 1);
        int highmask = nextPowerOf2(numBuckets + 1) - 1;
        Bytes.putI32(page, M_HIGHMASK, highmask);
        Bytes.putI32(page, M_LOWMASK, highmask >>> 1);
        Bytes.putI32(page, M_SPARES + 4 * spareIndex, 1);
        Bytes.putI32(page, M_OVFLPOINT, spareIndex);
        Bytes.putI32(page, M_FIRSTFREE, 0);
        Bytes.putI32(page, M_NMAPS, 0);
        IndexPage.setLower(page, META + META_SIZE);
    }

    /** {@code _hash_spareindex}: the splitpoint phase that holds bucket count {@code numBucket}. */
    static int spareIndex(long numBucket) {
        int group = ceilLog2((int) numBucket);
        if (group < 10) {
            return group;
        }
        int phases = 10 + ((group - 10) << 2);
        phases += (int) (((numBucket - 1) >>> (group - 3)) & 3);
        return phases;
    }

    /** {@code _hash_get_totalbuckets}: buckets allocated up to and including splitpoint phase {@code phase}. */
    static int totalBuckets(int phase) {
        if (phase < 10) {
            return 1 << phase;
        }
        int group = 10 + ((phase - 10) >> 2);
        int total = 1 << (group - 1);
        int phasesWithin = ((phase - 10) & 3) + 1;
        return total + ((1 << (group - 1)) >> 2) * phasesWithin;
    }

    /** {@code pg_ceil_log2_32}. */
    private static int ceilLog2(int num) {
        return Integer.compareUnsigned(num, 2) < 0 ? 0 : 32 - Integer.numberOfLeadingZeros(num - 1);
    }

    /** {@code pg_nextpower2_32}. */
    private static int nextPowerOf2(int num) {
        return Integer.bitCount(num) == 1 ? num : Integer.highestOneBit(num) << 1;
    }
}

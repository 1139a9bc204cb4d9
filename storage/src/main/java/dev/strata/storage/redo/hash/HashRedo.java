package dev.strata.storage.redo.hash;

import dev.strata.storage.redo.page.Bytes;
import dev.strata.storage.redo.RedoException;
import dev.strata.storage.redo.UnsupportedRecordException;
import dev.strata.storage.redo.mask.BufMask;
import dev.strata.storage.redo.nbtree.IndexPage;
import dev.strata.storage.redo.nbtree.IndexRedoSupport;
import dev.strata.storage.redo.nbtree.IndexRmgrRedo;
import dev.strata.storage.wal.DecodedRecord;

/**
 * Hash index (resource manager 12) redo and {@code hash_mask}, after PostgreSQL 15's {@code hash_xlog.c}, one block
 * at a time. Main data layouts are documented where each record is handled ({@link HashBucketRedo} for the records
 * that move tuples between a bucket's pages).
 * <pre>
 * 0x00 INIT_META_PAGE      0 metapage, rebuilt
 * 0x10 INIT_BITMAP_PAGE    0 bitmap page, rebuilt; 1 metapage: register it in hashm_mapp
 * 0x20 INSERT              0 bucket/overflow page: add the tuple; 1 metapage: hashm_ntuples + 1
 * 0x30 ADD_OVFL_PAGE       0 new overflow page; 1 its left neighbour; 2 bitmap bit; 3 new bitmap page; 4 metapage
 * 0x40 SPLIT_ALLOCATE_PAGE 0 old bucket flags; 1 new bucket page; 2 metapage
 * 0x50 SPLIT_PAGE          0 carries an image that is always applied; nothing to redo
 * 0x60 SPLIT_COMPLETE      0 old bucket flag; 1 new bucket flag
 * 0x70 MOVE_PAGE_CONTENTS, 0x80 SQUEEZE_PAGE, 0x90 DELETE, 0xC0 VACUUM_ONE_PAGE   {@link HashBucketRedo}
 * 0xA0 SPLIT_CLEANUP       0 primary bucket page: clear NEEDS_SPLIT_CLEANUP
 * 0xB0 UPDATE_META_PAGE    0 metapage: hashm_ntuples
 * </pre>
 *
 * <p>SPLIT_ALLOCATE_PAGE (old bucket) and SPLIT_COMPLETE also change a page restored from an image;
 * {@link #afterImageRestore} repeats that step.
 */
public final class HashRedo extends IndexRmgrRedo {
    public static final int RM_HASH_ID = 12;

    public static final int INIT_META_PAGE = 0x00;
    public static final int INIT_BITMAP_PAGE = 0x10;
    public static final int INSERT = 0x20;
    public static final int ADD_OVFL_PAGE = 0x30;
    public static final int SPLIT_ALLOCATE_PAGE = 0x40;
    public static final int SPLIT_PAGE = 0x50;
    public static final int SPLIT_COMPLETE = 0x60;
    public static final int MOVE_PAGE_CONTENTS = 0x70;
    public static final int SQUEEZE_PAGE = 0x80;
    public static final int DELETE = 0x90;
    public static final int SPLIT_CLEANUP = 0xA0;
    public static final int UPDATE_META_PAGE = 0xB0;
    public static final int VACUUM_ONE_PAGE = 0xC0;

    private static final String[] NAMES = {"INIT_META_PAGE", "INIT_BITMAP_PAGE", "INSERT", "ADD_OVFL_PAGE",
        "SPLIT_ALLOCATE_PAGE", "SPLIT_PAGE", "SPLIT_COMPLETE", "MOVE_PAGE_CONTENTS", "SQUEEZE_PAGE", "DELETE",
        "SPLIT_CLEANUP", "UPDATE_META_PAGE", "VACUUM_ONE_PAGE"};

    /** The record type's name as pg_waldump prints it. */
    public static String typeName(int info) {
        int i = (info & 0xF0) >>> 4;
        return i < NAMES.length ? NAMES[i] : "UNKNOWN_0x" + Integer.toHexString(info & 0xF0);
    }

    public HashRedo() {
        super("Hash");
    }

    @Override
    protected String recordTypeName(int info) {
        return typeName(info);
    }

    /**
     * The part of SPLIT_ALLOCATE_PAGE (block 0) and SPLIT_COMPLETE (blocks 0 and 1) that PostgreSQL applies even to
     * a page it has just restored from the record's image: the bucket flags (and the old bucket's prevblkno),
     * then the LSN. The values equal what the image holds, so this only matters for exactness of the sequence.
     *
     * @return whether this record type changes a restored block
     */
    public boolean afterImageRestore(DecodedRecord record, int blockId, byte[] page) {
        int info = record.rmgrInfo();
        if (!(info == SPLIT_ALLOCATE_PAGE && blockId == 0 || info == SPLIT_COMPLETE && blockId <= 1)) {
            return false;
        }
        redo(record, blockId, page);
        return true;
    }

    /** Applies the record to one block; returns whether the page LSN is to be set. */
    @Override
    protected boolean apply(DecodedRecord r, int info, int blockId, byte[] page) {
        switch (info) {
            case INIT_META_PAGE -> initMeta(r, blockId, page);
            case INIT_BITMAP_PAGE -> initBitmap(r, blockId, page);
            case INSERT -> insert(r, blockId, page);
            case ADD_OVFL_PAGE -> HashOverflowRedo.addOverflowPage(r, blockId, page);
            case SPLIT_ALLOCATE_PAGE -> HashOverflowRedo.splitAllocate(r, blockId, page);
            case SPLIT_PAGE -> throw new RedoException("Hash split record did not contain a full-page image");
            case SPLIT_COMPLETE -> splitComplete(r, blockId, page);
            case MOVE_PAGE_CONTENTS, SQUEEZE_PAGE, DELETE, VACUUM_ONE_PAGE -> {
                return HashBucketRedo.apply(r, info, blockId, page);
            }
            case SPLIT_CLEANUP -> {
                IndexRedoSupport.only(blockId, 0);
                HashPage.check(page);
                HashPage.setFlag(page, HashPage.flag(page) & ~HashPage.LH_BUCKET_NEEDS_SPLIT_CLEANUP);
            }
            case UPDATE_META_PAGE -> {
                IndexRedoSupport.only(blockId, 0);
                HashPage.checkMeta(page);
                int md = IndexRedoSupport.mainData(r, 8);
                Bytes.putI64(page, HashPage.M_NTUPLES, Bytes.i64(r.raw(), md));
            }
            default -> throw new UnsupportedRecordException("unknown hash op code 0x"
                    + Integer.toHexString(info));
        }
        return true;
    }

    /** INIT_META_PAGE, main data (14 bytes): num_tuples float8 @0, procid u32 @8, ffactor u16 @12. */
    private static void initMeta(DecodedRecord r, int blockId, byte[] page) {
        IndexRedoSupport.only(blockId, 0);
        byte[] raw = r.raw();
        int md = IndexRedoSupport.mainData(r, 14);
        HashPage.initMeta(page, Double.longBitsToDouble(Bytes.i64(raw, md)), Bytes.i32(raw, md + 8),
                Bytes.u16(raw, md + 12));
    }

    /** INIT_BITMAP_PAGE, main data: bmsize u16. */
    private static void initBitmap(DecodedRecord r, int blockId, byte[] page) {
        if (blockId == 0) {
            HashPage.initBitmap(page, Bytes.u16(r.raw(), IndexRedoSupport.mainData(r, 2)));
        } else if (blockId == 1) {
            HashPage.checkMeta(page);
            int nmaps = Bytes.i32(page, HashPage.M_NMAPS);
            checkMapIndex(nmaps);
            int numBuckets = Bytes.i32(page, HashPage.M_MAXBUCKET) + 1;
            Bytes.putI32(page, HashPage.M_MAPP + 4 * nmaps, numBuckets + 1);
            Bytes.putI32(page, HashPage.M_NMAPS, nmaps + 1);
        } else {
            throw new RedoException("INIT_BITMAP_PAGE references block ids 0 and 1");
        }
    }

    static void checkMapIndex(int nmaps) {
        if (nmaps < 0 || nmaps >= HashPage.MAX_BITMAPS) {
            throw new RedoException("metapage already lists " + nmaps + " bitmap pages");
        }
    }

    /** INSERT, main data offnum u16; block 0 data the index tuple. */
    private static void insert(DecodedRecord r, int blockId, byte[] page) {
        if (blockId == 0) {
            HashPage.check(page);
            int offnum = Bytes.u16(r.raw(), IndexRedoSupport.mainData(r, 2));
            IndexPage.pageAddItem(page, r.raw(), IndexRedoSupport.blockData(r, 0, 1),
                    IndexRedoSupport.blockDataLength(r, 0), offnum, false);
        } else if (blockId == 1) {
            HashPage.checkMeta(page);
            double ntuples = Double.longBitsToDouble(Bytes.i64(page, HashPage.M_NTUPLES));
            Bytes.putI64(page, HashPage.M_NTUPLES, Double.doubleToRawLongBits(ntuples + 1));
        } else {
            throw new RedoException("INSERT references block ids 0 and 1");
        }
    }

    /** SPLIT_COMPLETE, main data: old_bucket_flag u16 @0, new_bucket_flag u16 @2. */
    private static void splitComplete(DecodedRecord r, int blockId, byte[] page) {
        int md = IndexRedoSupport.mainData(r, 4);
        if (blockId > 1) {
            throw new RedoException("SPLIT_COMPLETE references block ids 0 and 1");
        }
        HashPage.check(page);
        HashPage.setFlag(page, Bytes.u16(r.raw(), md + 2 * blockId));
    }

    /**
     * {@code hash_mask}: LSN and checksum, hint bits and unused space; everything on an UNUSED page; line pointer
     * flags on bucket and overflow pages (LP_DEAD is set without WAL); LH_PAGE_HAS_DEAD_TUPLES always.
     */
    @Override
    public void mask(byte[] page, int blkno) {
        BufMask.maskPageLsnAndChecksum(page);
        BufMask.maskPageHintBits(page);
        BufMask.maskUnusedSpace(page);
        int type = HashPage.flag(page) & HashPage.LH_PAGE_TYPE;
        if (type == HashPage.LH_UNUSED_PAGE) {
            BufMask.maskPageContent(page);
        } else if (type == HashPage.LH_BUCKET_PAGE || type == HashPage.LH_OVERFLOW_PAGE) {
            BufMask.maskLpFlags(page);
        }
        HashPage.setFlag(page, HashPage.flag(page) & ~HashPage.LH_PAGE_HAS_DEAD_TUPLES);
    }
}

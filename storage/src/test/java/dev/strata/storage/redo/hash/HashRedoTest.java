package dev.strata.storage.redo.hash;

import dev.strata.storage.redo.page.Bytes;
import dev.strata.storage.redo.page.PageOps;
import dev.strata.storage.redo.RedoException;
import dev.strata.storage.redo.nbtree.IndexPage;
import dev.strata.storage.redo.nbtree.IndexRedoSupport;
import dev.strata.storage.redo.nbtree.TestRecord;
import dev.strata.storage.wal.DecodedRecord;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static dev.strata.storage.redo.nbtree.TestRecord.cat;
import static dev.strata.storage.redo.nbtree.TestRecord.le;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HashRedoTest {
    private static final int RM = HashRedo.RM_HASH_ID;
    private final HashRedo redo = new HashRedo();

    /** A hash index tuple: heap TID, t_info 16, the 4-byte hash code and padding. */
    static byte[] tuple(int hash, int heapBlk, int heapOff) {
        byte[] t = new byte[16];
        IndexRedoSupport.setTid(t, 0, heapBlk, heapOff);
        IndexRedoSupport.setTInfo(t, 0, 16);
        Bytes.putI32(t, 8, hash);
        return t;
    }

    static byte[] bucketPage(int flag, byte[]... items) {
        byte[] page = new byte[PageOps.BLCKSZ];
        HashPage.initBuf(page, 3, 1, flag);
        for (int i = 0; i < items.length; i++) {
            IndexPage.pageAddItem(page, items[i], 0, 16, i + 1, false);
        }
        return page;
    }

    static byte[] metaPage() {
        byte[] page = new byte[PageOps.BLCKSZ];
        HashPage.initMeta(page, 10000, 450, 307);
        return page;
    }

    @Test
    void initMetaPageSizesTheBucketsFromTheEstimatedTupleCount() {
        DecodedRecord r = TestRecord.of(RM, HashRedo.INIT_META_PAGE).block(0, 0, null, true)
                .main(le(8, Double.doubleToRawLongBits(10000.0), 4, 450, 2, 307)).build();
        byte[] page = new byte[PageOps.BLCKSZ];
        redo.redo(r, 0, page);
        assertThat(IndexPage.lower(page)).isEqualTo(4568);
        assertThat(Bytes.i32(page, HashPage.M_MAXBUCKET)).isEqualTo(31);
        assertThat(Bytes.i32(page, HashPage.M_HIGHMASK)).isEqualTo(63);
        assertThat(Bytes.i32(page, HashPage.M_LOWMASK)).isEqualTo(31);
        assertThat(Bytes.i32(page, HashPage.M_OVFLPOINT)).isEqualTo(5);
        assertThat(Bytes.i32(page, HashPage.M_SPARES + 20)).isEqualTo(1);
        assertThat(Bytes.u16(page, 24 + 20)).isEqualTo(4096);
        assertThat(Bytes.u16(page, 24 + 22)).isEqualTo(15);
        assertThat(HashPage.flag(page)).isEqualTo(HashPage.LH_META_PAGE);
        assertThat(IndexPage.lsn(page)).isEqualTo(r.endLsn());
    }

    @Test
    void splitpointArithmeticMatchesPostgresForMultiPhaseGroups() {
        assertThat(HashPage.spareIndex(2)).isEqualTo(1);
        // group 10 (buckets 513..1024) has four phases of 128 buckets
        assertThat(HashPage.spareIndex(640)).isEqualTo(10);
        assertThat(HashPage.spareIndex(1024)).isEqualTo(13);
        assertThat(HashPage.spareIndex(1025)).isEqualTo(14);
        assertThat(HashPage.spareIndex(1536)).isEqualTo(15);
        assertThat(HashPage.totalBuckets(11)).isEqualTo(768);
        assertThat(HashPage.totalBuckets(13)).isEqualTo(1024);
        assertThat(HashPage.totalBuckets(HashPage.spareIndex(5000))).isEqualTo(5120);
    }

    @Test
    void insertAddsTheTupleAndCountsItOnTheMetapage() {
        byte[] page = bucketPage(HashPage.LH_BUCKET_PAGE, tuple(5, 1, 1), tuple(9, 1, 2));
        DecodedRecord r = TestRecord.of(RM, HashRedo.INSERT).block(0, 1, tuple(7, 2, 2)).block(1, 0, null)
                .main(le(2, 2)).build();
        redo.redo(r, 0, page);
        assertThat(IndexPage.maxOffset(page)).isEqualTo(3);
        int pos = IndexPage.item(page, 2);
        assertThat(Arrays.copyOfRange(page, pos, pos + 16)).isEqualTo(tuple(7, 2, 2));
        byte[] meta = metaPage();
        redo.redo(r, 1, meta);
        assertThat(Double.longBitsToDouble(Bytes.i64(meta, HashPage.M_NTUPLES))).isEqualTo(1.0);
    }

    @Test
    void addOverflowPageLinksItSetsTheBitmapBitAndAdvancesTheSpares() {
        DecodedRecord r = TestRecord.of(RM, HashRedo.ADD_OVFL_PAGE).block(0, 40, le(4, 3), true)
                .block(1, 4, null).block(2, 33, le(4, 9)).block(4, 0, le(4, 10)).main(le(2, 4096, 1, 0)).build();
        byte[] ovfl = new byte[PageOps.BLCKSZ];
        redo.redo(r, 0, ovfl);
        assertThat(HashPage.flag(ovfl)).isEqualTo(HashPage.LH_OVERFLOW_PAGE);
        assertThat(Bytes.i32(ovfl, HashPage.opaque(ovfl))).isEqualTo(4);
        assertThat(Bytes.i32(ovfl, HashPage.opaque(ovfl) + 8)).isEqualTo(3);

        byte[] left = bucketPage(HashPage.LH_BUCKET_PAGE);
        redo.redo(r, 1, left);
        assertThat(Bytes.i32(left, HashPage.opaque(left) + 4)).isEqualTo(40);

        byte[] bitmap = new byte[PageOps.BLCKSZ];
        HashPage.initBitmap(bitmap, 4096);
        HashPage.setBitmapBit(bitmap, 9, false);
        redo.redo(r, 2, bitmap);
        assertThat(bitmap[24 + 1]).isEqualTo((byte) 0xFF);

        byte[] meta = metaPage();
        redo.redo(r, 4, meta);
        assertThat(Bytes.i32(meta, HashPage.M_FIRSTFREE)).isEqualTo(10);
        assertThat(Bytes.i32(meta, HashPage.M_SPARES + 20)).isEqualTo(2);
    }

    @Test
    void squeezeMovesTuplesAndFreesTheOverflowPage() {
        byte[] write = bucketPage(HashPage.LH_BUCKET_PAGE, tuple(1, 0, 1));
        byte[] data = cat(le(2, 2, 2, 3), tuple(2, 0, 2), tuple(3, 0, 3));
        DecodedRecord r = TestRecord.of(RM, HashRedo.SQUEEZE_PAGE).block(1, 4, data).block(2, 40, null)
                .block(5, 33, le(4, 9)).main(le(4, 4, 4, 0xFFFFFFFFL, 2, 2, 1, 1, 1, 1)).build();
        redo.redo(r, 1, write);
        assertThat(IndexPage.maxOffset(write)).isEqualTo(3);
        assertThat(Bytes.i32(write, HashPage.opaque(write) + 4)).isEqualTo(-1);

        byte[] freed = bucketPage(HashPage.LH_OVERFLOW_PAGE, tuple(2, 0, 2));
        redo.redo(r, 2, freed);
        assertThat(HashPage.flag(freed)).isEqualTo(HashPage.LH_UNUSED_PAGE);
        assertThat(IndexPage.maxOffset(freed)).isZero();
    }

    @Test
    void theLockOnlyPrimaryBucketBlockIsLeftUntouched() {
        byte[] bucket = bucketPage(HashPage.LH_BUCKET_PAGE, tuple(1, 0, 1));
        byte[] before = bucket.clone();
        DecodedRecord r = TestRecord.of(RM, HashRedo.DELETE).block(0, 1, null).block(1, 40, le(2, 1))
                .main(le(1, 1, 1, 0)).build();
        redo.redo(r, 0, bucket);
        assertThat(bucket).isEqualTo(before);
    }

    @Test
    void vacuumOnePageRemovesDeadTuplesAndClearsTheHint() {
        byte[] page = bucketPage(HashPage.LH_BUCKET_PAGE | HashPage.LH_PAGE_HAS_DEAD_TUPLES, tuple(1, 0, 1),
                tuple(2, 0, 2), tuple(3, 0, 3), tuple(4, 0, 4));
        DecodedRecord r = TestRecord.of(RM, HashRedo.VACUUM_ONE_PAGE).block(0, 1, null).block(1, 0, null)
                .main(le(4, 700, 4, 3, 2, 1, 2, 2, 2, 4)).build();
        redo.redo(r, 0, page);
        assertThat(IndexPage.maxOffset(page)).isEqualTo(1);
        assertThat(Bytes.i32(page, IndexPage.item(page, 1) + 8)).isEqualTo(3);
        assertThat(HashPage.flag(page)).isEqualTo(HashPage.LH_BUCKET_PAGE);
    }

    @Test
    void splitCompleteAlsoSetsTheBucketFlagsOnARestoredImage() {
        DecodedRecord r = TestRecord.of(RM, HashRedo.SPLIT_COMPLETE).block(0, 1, null).block(1, 4, null)
                .main(le(2, HashPage.LH_BUCKET_PAGE, 2, HashPage.LH_BUCKET_PAGE)).build();
        byte[] restored = bucketPage(HashPage.LH_BUCKET_PAGE | 0x20);
        assertThat(dev.strata.storage.redo.IndexRmgrs.afterImageRestore(r, 0, restored)).isTrue();
        assertThat(HashPage.flag(restored)).isEqualTo(HashPage.LH_BUCKET_PAGE);
        assertThat(IndexPage.lsn(restored)).isEqualTo(r.endLsn());
        DecodedRecord insert = TestRecord.of(RM, HashRedo.INSERT).block(0, 1, tuple(1, 0, 1)).main(le(2, 1)).build();
        assertThat(dev.strata.storage.redo.IndexRmgrs.afterImageRestore(insert, 0, restored)).isFalse();
    }

    @Test
    void maskHidesAllOfAnUnusedPage() {
        byte[] a = new byte[PageOps.BLCKSZ];
        HashPage.initBuf(a, -1, -1, HashPage.LH_UNUSED_PAGE);
        byte[] b = bucketPage(HashPage.LH_UNUSED_PAGE, tuple(1, 0, 1));
        redo.mask(a, 7);
        redo.mask(b, 7);
        assertThat(b).isEqualTo(a);
    }

    @Test
    void aSplitPageRecordWithoutAnAppliedImageIsAnError() {
        DecodedRecord r = TestRecord.of(RM, HashRedo.SPLIT_PAGE).block(0, 1, null).build();
        assertThatThrownBy(() -> redo.redo(r, 0, bucketPage(HashPage.LH_BUCKET_PAGE)))
                .isInstanceOf(RedoException.class).hasMessageContaining("Hash/SPLIT_PAGE")
                .hasMessageContaining("did not contain a full-page image");
    }
}

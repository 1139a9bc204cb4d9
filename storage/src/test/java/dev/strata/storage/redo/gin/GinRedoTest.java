package dev.strata.storage.redo.gin;

import dev.strata.storage.redo.page.Bytes;
import dev.strata.storage.redo.page.PageOps;
import dev.strata.storage.redo.RedoException;
import dev.strata.storage.redo.nbtree.IndexPage;
import dev.strata.storage.redo.nbtree.IndexRedoSupport;
import dev.strata.storage.redo.nbtree.TestRecord;
import dev.strata.storage.wal.DecodedRecord;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static dev.strata.storage.redo.nbtree.TestRecord.cat;
import static dev.strata.storage.redo.nbtree.TestRecord.le;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GinRedoTest {
    private static final int RM = GinRedo.RM_GIN_ID;
    private final GinRedo redo = new GinRedo();

    static long tid(int blk, int off) {
        return (long) blk << 16 | off;
    }

    static byte[] segment(long... items) {
        return GinPostingList.compress(items, items.length, PageOps.BLCKSZ).bytes();
    }

    static byte[] dataLeaf(byte[]... segments) {
        byte[] page = new byte[PageOps.BLCKSZ];
        GinPage.initPage(page, GinPage.GIN_DATA | GinPage.GIN_LEAF | GinPage.GIN_COMPRESSED);
        byte[] all = cat(segments);
        System.arraycopy(all, 0, page, GinPage.DATA_START, all.length);
        GinPage.setDataSize(page, all.length);
        return page;
    }

    static long[] leafItems(byte[] page) {
        long[] all = new long[0];
        int pos = GinPage.DATA_START;
        while (pos < IndexPage.lower(page)) {
            long[] seg = GinPostingList.decode(page, pos, IndexPage.lower(page));
            long[] joined = Arrays.copyOf(all, all.length + seg.length);
            System.arraycopy(seg, 0, joined, all.length, seg.length);
            all = joined;
            pos += GinPostingList.size(page, pos);
        }
        return all;
    }

    @Test
    void postingListsEncodeDeltasOfBlockShiftedElevenAsVarbytes() {
        byte[] seg = segment(tid(0, 1), tid(0, 2), tid(1, 1));
        assertThat(seg).isEqualTo(new byte[] {0, 0, 0, 0, 1, 0, 3, 0, 1, (byte) 0xFF, 0x0F, 0});
        assertThat(GinPostingList.decode(seg, 0, seg.length)).containsExactly(tid(0, 1), tid(0, 2), tid(1, 1));
    }

    @Test
    void postingListsRoundTripAcrossLargeGaps() {
        long seed = 20240601L;
        System.out.println("posting list round trip seed " + seed);
        Random rnd = new Random(seed);
        long[] items = new long[500];
        int blk = 0;
        int off = 1;
        for (int i = 0; i < items.length; i++) {
            if (rnd.nextInt(4) == 0) {
                blk += 1 + rnd.nextInt(1 << 20);
                off = 1 + rnd.nextInt(300);
            } else if ((off += 1 + rnd.nextInt(20)) > 2000) {
                blk++;
                off = 1;
            }
            items[i] = tid(blk, off);
        }
        GinPostingList.Segment seg = GinPostingList.compress(items, items.length, 8192);
        assertThat(seg.packed()).isEqualTo(items.length);
        assertThat(GinPostingList.decode(seg.bytes(), 0, seg.bytes().length)).containsExactly(items);
        GinPostingList.Segment small = GinPostingList.compress(items, items.length, 64);
        assertThat(small.bytes().length).isLessThanOrEqualTo(64);
        assertThat(GinPostingList.decode(small.bytes(), 0, small.bytes().length))
                .containsExactly(Arrays.copyOf(items, small.packed()));
    }

    @Test
    void createPostingTreeCopiesTheSegmentsOntoACompressedLeaf() {
        byte[] seg = segment(tid(3, 1), tid(3, 7));
        DecodedRecord r = TestRecord.of(RM, GinRedo.CREATE_PTREE).block(0, 9, null, true)
                .main(cat(le(4, seg.length), seg)).build();
        byte[] page = new byte[PageOps.BLCKSZ];
        redo.redo(r, 0, page);
        assertThat(page).isEqualTo(withLsn(dataLeaf(seg), r));
    }

    @Test
    void dataLeafInsertMergesAddedItemsReplacesAndDeletesSegments() {
        byte[] s0 = segment(tid(1, 1), tid(1, 5));
        byte[] s1 = segment(tid(2, 1), tid(2, 2));
        byte[] s2 = segment(tid(3, 1));
        byte[] page = dataLeaf(s0, s1, s2);
        byte[] replacement = segment(tid(3, 1), tid(3, 9));
        byte[] actions = cat(le(2, 3),
                le(1, 0, 1, 4, 2, 1), tidBytes(tid(1, 3)),
                le(1, 1, 1, 1),
                le(1, 2, 1, 3), replacement);
        DecodedRecord r = TestRecord.of(RM, GinRedo.INSERT).block(0, 9, actions)
                .main(le(2, GinRedo.GIN_INSERT_ISDATA | GinRedo.GIN_INSERT_ISLEAF)).build();
        redo.redo(r, 0, page);
        assertThat(leafItems(page)).containsExactly(tid(1, 1), tid(1, 3), tid(1, 5), tid(3, 1), tid(3, 9));
        byte[] expected = dataLeaf(segment(tid(1, 1), tid(1, 3), tid(1, 5)), replacement);
        int used = IndexPage.lower(expected);
        assertThat(IndexPage.lower(page)).isEqualTo(used);
        assertThat(Arrays.copyOf(page, used)).isEqualTo(Arrays.copyOf(withLsn(expected, r), used));
    }

    @Test
    void entryInsertReplacesADeletedTupleAndFixesTheDownlink() {
        byte[] page = new byte[PageOps.BLCKSZ];
        GinPage.initPage(page, 0);
        byte[] a = entry(10, 100);
        byte[] b = entry(20, 101);
        IndexPage.pageAddItem(page, a, 0, 16, 1, false);
        IndexPage.pageAddItem(page, b, 0, 16, 2, false);
        byte[] c = entry(15, 102);
        DecodedRecord r = TestRecord.of(RM, GinRedo.INSERT).block(0, 1, cat(le(2, 1, 1, 0, 1, 0), c))
                .block(1, 100, null).main(le(2, 0, 4, 100 << 16, 4, 103 << 16)).build();
        redo.redo(r, 0, page);
        assertThat(IndexPage.maxOffset(page)).isEqualTo(3);
        assertThat(IndexRedoSupport.tidBlock(page, IndexPage.item(page, 2))).isEqualTo(103);
        assertThat(IndexRedoSupport.tidBlock(page, IndexPage.item(page, 1))).isEqualTo(102);
    }

    @Test
    void pendingListPagesAreBuiltAndDeleted() {
        byte[] t1 = entry(1, 0);
        byte[] t2 = entry(2, 0);
        DecodedRecord ins = TestRecord.of(RM, GinRedo.INSERT_LISTPAGE).block(0, 5, cat(t1, t2), true)
                .main(le(4, 0xFFFFFFFFL, 4, 2)).build();
        byte[] page = new byte[PageOps.BLCKSZ];
        redo.redo(ins, 0, page);
        assertThat(GinPage.flags(page)).isEqualTo(GinPage.GIN_LIST | GinPage.GIN_LIST_FULLROW);
        assertThat(GinPage.maxoff(page)).isEqualTo(1);
        assertThat(IndexPage.maxOffset(page)).isEqualTo(2);

        byte[] meta = new byte[56];
        Bytes.putI32(meta, 0, 7);
        Bytes.putI32(meta, 48, 2);
        DecodedRecord del = TestRecord.of(RM, GinRedo.DELETE_LISTPAGE).block(0, 0, null, true)
                .block(1, 5, null, true).main(cat(meta, le(4, 1, 4, 0))).build();
        redo.redo(del, 1, page);
        assertThat(GinPage.flags(page)).isEqualTo(GinPage.GIN_DELETED);
        byte[] metaPage = new byte[PageOps.BLCKSZ];
        redo.redo(del, 0, metaPage);
        assertThat(IndexPage.lower(metaPage)).isEqualTo(80);
        assertThat(Bytes.i32(metaPage, 24)).isEqualTo(7);
        assertThat(GinPage.flags(metaPage)).isEqualTo(GinPage.GIN_META);
    }

    @Test
    void maskHidesTheContentOfDeletedPages() {
        byte[] a = new byte[PageOps.BLCKSZ];
        GinPage.initPage(a, GinPage.GIN_DELETED);
        byte[] b = dataLeaf(segment(tid(1, 1)));
        GinPage.setFlags(b, GinPage.GIN_DELETED);
        IndexPage.setPruneXid(b, 900);
        redo.mask(a, 3);
        redo.mask(b, 3);
        assertThat(b).isEqualTo(a);
    }

    @Test
    void aSplitWithoutAnAppliedImageIsAnError() {
        DecodedRecord r = TestRecord.of(RM, GinRedo.SPLIT).block(0, 2, null).block(1, 3, null)
                .main(new byte[28]).build();
        assertThatThrownBy(() -> redo.redo(r, 1, dataLeaf())).isInstanceOf(RedoException.class)
                .hasMessageContaining("Gin/SPLIT");
    }

    private static byte[] entry(int key, int blk) {
        byte[] t = new byte[16];
        IndexRedoSupport.setTid(t, 0, blk, 0);
        IndexRedoSupport.setTInfo(t, 0, 16);
        Bytes.putI32(t, 8, key);
        return t;
    }

    private static byte[] tidBytes(long tid) {
        byte[] b = new byte[6];
        GinPostingList.putTid(b, 0, tid);
        return b;
    }

    private static byte[] withLsn(byte[] page, DecodedRecord r) {
        IndexPage.setLsn(page, r.endLsn());
        return page;
    }
}

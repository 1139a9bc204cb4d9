package dev.strata.storage.redo.nbtree;

import dev.strata.storage.redo.page.Bytes;
import dev.strata.storage.redo.page.PageOps;
import dev.strata.storage.redo.RedoException;
import dev.strata.storage.wal.DecodedRecord;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static dev.strata.storage.redo.nbtree.TestRecord.cat;
import static dev.strata.storage.redo.nbtree.TestRecord.le;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BtreeRedoTest {
    private static final int RM = BtreeRedo.RM_BTREE_ID;
    private final BtreeRedo redo = new BtreeRedo();

    /** A 16-byte leaf tuple: heap TID, t_info 16, an int4 key and 4 bytes of padding. */
    static byte[] tuple(int key, int heapBlk, int heapOff) {
        byte[] t = new byte[16];
        IndexRedoSupport.setTid(t, 0, heapBlk, heapOff);
        IndexRedoSupport.setTInfo(t, 0, 16);
        Bytes.putI32(t, 8, key);
        return t;
    }

    /** A posting list tuple with key {@code key} and heap TIDs (block, offset) pairs. */
    static byte[] posting(int key, int... blkOff) {
        byte[] htids = new byte[3 * blkOff.length];
        for (int i = 0; i < blkOff.length; i += 2) {
            IndexRedoSupport.setTid(htids, 3 * i, blkOff[i], blkOff[i + 1]);
        }
        return BtPosting.formPosting(tuple(key, 0, 0), 0, 16, htids, blkOff.length / 2);
    }

    static byte[] leaf(int next, byte[]... items) {
        byte[] page = new byte[PageOps.BLCKSZ];
        BtPage.pageInit(page);
        BtPage.setFlags(page, BtPage.BTP_LEAF);
        BtPage.setNext(page, next);
        for (int i = 0; i < items.length; i++) {
            IndexPage.pageAddItem(page, items[i], 0, items[i].length, i + 1, false);
        }
        return page;
    }

    static byte[] itemBytes(byte[] page, int off) {
        int pos = IndexPage.item(page, off);
        return Arrays.copyOfRange(page, pos, pos + IndexPage.lpLen(page, off));
    }

    @Test
    void insertLeafShufflesLinePointersAndStampsTheEndLsn() {
        byte[] page = leaf(0, tuple(10, 1, 1), tuple(30, 1, 3));
        DecodedRecord r = TestRecord.of(RM, BtreeRedo.INSERT_LEAF).block(0, 1, tuple(20, 1, 2))
                .main(le(2, 2)).build();
        redo.redo(r, 0, page);
        assertThat(IndexPage.maxOffset(page)).isEqualTo(3);
        assertThat(itemBytes(page, 2)).isEqualTo(tuple(20, 1, 2));
        assertThat(itemBytes(page, 3)).isEqualTo(tuple(30, 1, 3));
        assertThat(IndexPage.lpOff(page, 2)).isEqualTo(BtPage.OPAQUE - 48);
        assertThat(IndexPage.lsn(page)).isEqualTo(r.endLsn());
    }

    @Test
    void insertPostSplitsThePostingListAndInsertsTheDisplacedMaxTid() {
        byte[] page = leaf(0, tuple(5, 1, 1), posting(7, 2, 1, 2, 5, 2, 9));
        // The new heap TID (2,3) falls inside the posting list at position 1.
        DecodedRecord r = TestRecord.of(RM, BtreeRedo.INSERT_POST)
                .block(0, 1, cat(le(2, 1), tuple(7, 2, 3))).main(le(2, 3)).build();
        redo.redo(r, 0, page);
        assertThat(itemBytes(page, 2)).isEqualTo(posting(7, 2, 1, 2, 3, 2, 5));
        assertThat(itemBytes(page, 3)).isEqualTo(tuple(7, 2, 9));
    }

    @Test
    void splitRebuildsTheLeftPageWithTheNewItemAndTheRightPageFromItsImage() {
        byte[] orig = leaf(9, tuple(90, 0, 9), tuple(10, 0, 1), tuple(30, 0, 3), tuple(40, 0, 4),
                tuple(50, 0, 5));
        BtPage.setFlags(orig, BtPage.BTP_LEAF | BtPage.BTP_HAS_GARBAGE);
        BtPage.setPrev(orig, 3);
        byte[] hikey = tuple(40, 0, 0);
        // right page upper bytes: items 2 (50) then 1 (high key 90), highest-numbered first
        byte[] rightBytes = cat(tuple(50, 0, 5), tuple(40, 0, 4), tuple(90, 0, 9));
        DecodedRecord r = TestRecord.of(RM, BtreeRedo.SPLIT_L)
                .block(0, 4, cat(tuple(20, 0, 2), hikey))
                .block(1, 7, rightBytes, true)
                .block(2, 9, null)
                .main(le(4, 0, 2, 4, 2, 3, 2, 0)).build();

        byte[] left = orig.clone();
        redo.redo(r, 0, left);
        byte[] expectLeft = leaf(7, hikey, tuple(10, 0, 1), tuple(20, 0, 2), tuple(30, 0, 3));
        BtPage.setPrev(expectLeft, 3);
        BtPage.setFlags(expectLeft, BtPage.BTP_LEAF | BtPage.BTP_INCOMPLETE_SPLIT);
        IndexPage.setLsn(expectLeft, r.endLsn());
        assertThat(left).isEqualTo(expectLeft);

        byte[] right = new byte[PageOps.BLCKSZ];
        redo.redo(r, 1, right);
        byte[] expectRight = leaf(9, tuple(90, 0, 9), tuple(40, 0, 4), tuple(50, 0, 5));
        BtPage.setPrev(expectRight, 4);
        IndexPage.setLsn(expectRight, r.endLsn());
        assertThat(right).isEqualTo(expectRight);

        byte[] sibling = leaf(0, tuple(95, 0, 1));
        redo.redo(r, 2, sibling);
        assertThat(BtPage.prev(sibling)).isEqualTo(7);
    }

    @Test
    void aSplitWithAPostingListSplitKeepsTheSwappedPostingListOnTheLeft() {
        byte[] orig = leaf(9, tuple(90, 0, 0), tuple(10, 0, 1), posting(20, 1, 1, 1, 5, 1, 9), tuple(30, 0, 3),
                tuple(40, 0, 4));
        byte[] hikey = tuple(20, 0, 0);
        // orignewitem (20, TID 1/3) goes right at offset 4; posting split at TID position 1 of item 3
        DecodedRecord r = TestRecord.of(RM, BtreeRedo.SPLIT_R)
                .block(0, 4, cat(tuple(20, 1, 3), hikey))
                .block(1, 7, cat(tuple(40, 0, 4), tuple(30, 0, 3), tuple(20, 1, 9), tuple(90, 0, 0)), true)
                .block(2, 9, null)
                .main(le(4, 0, 2, 4, 2, 4, 2, 1)).build();
        byte[] left = orig.clone();
        redo.redo(r, 0, left);
        byte[] expectLeft = leaf(7, hikey, tuple(10, 0, 1), posting(20, 1, 1, 1, 3, 1, 5));
        BtPage.setFlags(expectLeft, BtPage.BTP_LEAF | BtPage.BTP_INCOMPLETE_SPLIT);
        IndexPage.setLsn(expectLeft, r.endLsn());
        assertThat(left).isEqualTo(expectLeft);
    }

    @Test
    void dedupMergesEachLoggedIntervalIntoOnePostingList() {
        byte[] page = leaf(0, tuple(1, 0, 1), tuple(2, 0, 2), tuple(2, 0, 3), posting(2, 0, 4, 0, 5),
                tuple(3, 0, 6));
        DecodedRecord r = TestRecord.of(RM, BtreeRedo.DEDUP).block(0, 1, le(2, 2, 2, 3)).main(le(2, 1)).build();
        redo.redo(r, 0, page);
        assertThat(IndexPage.maxOffset(page)).isEqualTo(3);
        assertThat(itemBytes(page, 1)).isEqualTo(tuple(1, 0, 1));
        assertThat(itemBytes(page, 2)).isEqualTo(posting(2, 0, 2, 0, 3, 0, 4, 0, 5));
        assertThat(itemBytes(page, 3)).isEqualTo(tuple(3, 0, 6));
    }

    @Test
    void vacuumUpdatesPostingListsBeforeDeletingAndASingleSurvivorBecomesAPlainTuple() {
        byte[] page = leaf(0, tuple(1, 0, 1), posting(2, 0, 2, 0, 3), posting(3, 0, 4, 0, 5, 0, 6),
                tuple(4, 0, 7), tuple(5, 0, 8));
        BtPage.setFlags(page, BtPage.BTP_LEAF | BtPage.BTP_HAS_GARBAGE);
        // delete items 1, 4, 5; update item 2 (drop TID #0) and item 3 (drop TID #1)
        byte[] data = cat(le(2, 1, 2, 4, 2, 5), le(2, 2, 2, 3), le(2, 1, 2, 0), le(2, 1, 2, 1));
        DecodedRecord r = TestRecord.of(RM, BtreeRedo.VACUUM).block(0, 1, data).main(le(2, 3, 2, 2)).build();
        redo.redo(r, 0, page);
        assertThat(IndexPage.maxOffset(page)).isEqualTo(2);
        assertThat(itemBytes(page, 1)).isEqualTo(tuple(2, 0, 3));
        assertThat(itemBytes(page, 2)).isEqualTo(posting(3, 0, 4, 0, 6));
        assertThat(BtPage.flags(page)).isEqualTo(BtPage.BTP_LEAF);
    }

    @Test
    void halfDeadMovesTheParentDownlinkAndRebuildsTheLeaf() {
        byte[] parent = leaf(0, tuple(1, 100, 0), tuple(2, 101, 0), tuple(3, 102, 0));
        BtPage.setFlags(parent, 0);
        DecodedRecord r = TestRecord.of(RM, BtreeRedo.MARK_PAGE_HALFDEAD).block(0, 101, null, true)
                .block(1, 50, null).main(le(2, 2, 2, 0, 4, 101, 4, 100, 4, 102, 4, 0xFFFFFFFFL)).build();
        redo.redo(r, 1, parent);
        assertThat(IndexPage.maxOffset(parent)).isEqualTo(2);
        assertThat(IndexRedoSupport.tidBlock(parent, IndexPage.item(parent, 2))).isEqualTo(102);

        byte[] leafPage = new byte[PageOps.BLCKSZ];
        redo.redo(r, 0, leafPage);
        assertThat(BtPage.flags(leafPage)).isEqualTo(BtPage.BTP_HALF_DEAD | BtPage.BTP_LEAF);
        assertThat(BtPage.prev(leafPage)).isEqualTo(100);
        assertThat(BtPage.next(leafPage)).isEqualTo(102);
        assertThat(itemBytes(leafPage, 1)).isEqualTo(le(2, 0xFFFF, 2, 0xFFFF, 2, 0, 2, 0x2008));
    }

    @Test
    void unlinkWritesADeletedPageWithItsSafeXid() {
        DecodedRecord r = TestRecord.of(RM, BtreeRedo.UNLINK_PAGE).block(0, 8, null, true).block(2, 9, null)
                .main(le(4, 0, 4, 9, 4, 0, 4, 0, 8, 0x1_0000_0300L, 4, 0, 4, 0, 4, 0xFFFFFFFFL)).build();
        byte[] page = new byte[PageOps.BLCKSZ];
        redo.redo(r, 0, page);
        assertThat(IndexPage.lower(page)).isEqualTo(32);
        assertThat(IndexPage.upper(page)).isEqualTo(BtPage.OPAQUE);
        assertThat(Bytes.i64(page, 24)).isEqualTo(0x1_0000_0300L);
        assertThat(BtPage.flags(page)).isEqualTo(BtPage.BTP_DELETED | BtPage.BTP_HAS_FULLXID | BtPage.BTP_LEAF);
        assertThat(BtPage.next(page)).isEqualTo(9);
    }

    @Test
    void newRootAndMetapageAreRebuiltFromTheRecord() {
        byte[] items = cat(tuple(0, 5, 0), tuple(0, 4, 0));
        byte[] meta = le(4, 4, 4, 6, 4, 1, 4, 6, 4, 1, 4, 0, 1, 1, 1, 0, 1, 0, 1, 0);
        DecodedRecord r = TestRecord.of(RM, BtreeRedo.NEWROOT).block(0, 6, items, true).block(1, 4, null)
                .block(2, 0, meta, true).main(le(4, 6, 4, 1)).build();
        byte[] root = new byte[PageOps.BLCKSZ];
        redo.redo(r, 0, root);
        assertThat(BtPage.flags(root)).isEqualTo(BtPage.BTP_ROOT);
        assertThat(itemBytes(root, 1)).isEqualTo(tuple(0, 4, 0));
        assertThat(itemBytes(root, 2)).isEqualTo(tuple(0, 5, 0));

        byte[] metaPage = new byte[PageOps.BLCKSZ];
        redo.redo(r, 2, metaPage);
        assertThat(IndexPage.lower(metaPage)).isEqualTo(72);
        assertThat(Bytes.i32(metaPage, 24)).isEqualTo(BtPage.BTREE_MAGIC);
        assertThat(Bytes.i32(metaPage, 32)).isEqualTo(6);
        assertThat(Double.longBitsToDouble(Bytes.i64(metaPage, 56))).isEqualTo(-1.0);
        assertThat(metaPage[64]).isEqualTo((byte) 1);
        assertThat(BtPage.flags(metaPage)).isEqualTo(BtPage.BTP_META);

        byte[] child = leaf(0);
        BtPage.setFlags(child, BtPage.BTP_LEAF | BtPage.BTP_INCOMPLETE_SPLIT);
        redo.redo(r, 1, child);
        assertThat(BtPage.flags(child)).isEqualTo(BtPage.BTP_LEAF);
    }

    @Test
    void maskHidesLeafLinePointerFlagsGarbageSplitEndAndCycleId() {
        byte[] a = leaf(0, tuple(1, 0, 1), tuple(2, 0, 2));
        byte[] b = a.clone();
        IndexPage.setItemId(b, 1, IndexPage.lpOff(b, 1), PageOps.LP_DEAD, 16);
        BtPage.setFlags(b, BtPage.BTP_LEAF | BtPage.BTP_SPLIT_END | BtPage.BTP_HAS_GARBAGE);
        BtPage.setCycleId(b, 77);
        IndexPage.setLsn(b, 12345);
        b[IndexPage.lower(b) + 5] = 9;
        redo.mask(a, 1);
        redo.mask(b, 1);
        assertThat(b).isEqualTo(a);
    }

    @Test
    void anItemOffsetOutsideThePageIsAnErrorNamingTheRecord() {
        byte[] page = leaf(0, tuple(1, 0, 1));
        DecodedRecord r = TestRecord.of(RM, BtreeRedo.INSERT_LEAF).block(0, 3, tuple(2, 0, 2)).main(le(2, 9))
                .lsn(0x2_0000_1000L).build();
        assertThatThrownBy(() -> redo.redo(r, 0, page)).isInstanceOf(RedoException.class)
                .hasMessageContaining("Btree/INSERT_LEAF at 2/1000")
                .hasMessageContaining("1663/5/16384 block 3")
                .hasMessageContaining("at offset 9: offset is too large");
    }
}

package dev.strata.storage.redo.spgist;

import dev.strata.storage.redo.page.Bytes;
import dev.strata.storage.redo.page.PageOps;
import dev.strata.storage.redo.nbtree.IndexPage;
import dev.strata.storage.redo.nbtree.IndexRedoSupport;
import dev.strata.storage.redo.nbtree.TestRecord;
import dev.strata.storage.wal.DecodedRecord;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static dev.strata.storage.redo.nbtree.TestRecord.cat;
import static dev.strata.storage.redo.nbtree.TestRecord.le;
import static org.assertj.core.api.Assertions.assertThat;

class SpgRedoTest {
    private static final int RM = SpgRedo.RM_SPGIST_ID;
    private static final byte[] STATE = le(4, 900, 1, 0, 1, 0, 2, 0);
    private final SpgRedo redo = new SpgRedo();

    /** A 24-byte live leaf tuple with a chain link and an int4 datum. */
    static byte[] leaf(int value, int next, int heapBlk) {
        byte[] t = new byte[24];
        Bytes.putI32(t, 0, 24 << 2);
        Bytes.putU16(t, 4, next);
        IndexRedoSupport.setTid(t, 6, heapBlk, 1);
        Bytes.putI32(t, 16, value);
        return t;
    }

    /** A live inner tuple without prefix and with {@code n} 8-byte nodes whose downlinks are invalid. */
    static byte[] inner(int n) {
        byte[] t = new byte[8 + 8 * n];
        Bytes.putI32(t, 0, n << 3);
        Bytes.putU16(t, 4, t.length);
        for (int i = 0; i < n; i++) {
            IndexRedoSupport.setTidInvalid(t, 8 + 8 * i);
            IndexRedoSupport.setTInfo(t, 8 + 8 * i, 8);
        }
        return t;
    }

    static byte[] page(int flags, byte[]... items) {
        byte[] page = new byte[PageOps.BLCKSZ];
        SpgPage.init(page, flags);
        for (int i = 0; i < items.length; i++) {
            IndexPage.pageAddItem(page, items[i], 0, items[i].length, i + 1, false);
        }
        return page;
    }

    static byte[] item(byte[] page, int off) {
        int pos = IndexPage.item(page, off);
        return Arrays.copyOfRange(page, pos, pos + IndexPage.lpLen(page, off));
    }

    static int nodeLink(byte[] page, int off, int node) {
        return IndexRedoSupport.tidBlock(page, IndexPage.item(page, off) + 8 + 8 * node);
    }

    @Test
    void addLeafOnANewPageAndLinkTheParentNode() {
        DecodedRecord r = TestRecord.of(RM, SpgRedo.ADD_LEAF).block(0, 7, null, true).block(1, 2, null)
                .main(cat(le(1, 1, 1, 0, 2, 1, 2, 0, 2, 1, 2, 2), leaf(5, 0, 40))).build();
        byte[] p = new byte[PageOps.BLCKSZ];
        redo.redo(r, 0, p);
        assertThat(item(p, 1)).isEqualTo(leaf(5, 0, 40));
        assertThat(Bytes.u16(p, IndexPage.special(p))).isEqualTo(SpgPage.SPGIST_LEAF);

        byte[] parent = page(0, inner(4));
        redo.redo(r, 1, parent);
        assertThat(nodeLink(parent, 1, 2)).isEqualTo(7);
        assertThat(IndexRedoSupport.tidOffset(parent, IndexPage.item(parent, 1) + 8 + 16)).isEqualTo(1);
    }

    @Test
    void addLeafReplacesAPlaceholderAndChainsFromTheHead() {
        byte[] placeholder = SpgPage.deadTuple(SpgPage.PLACEHOLDER, 0, 0, 0);
        byte[] p = page(SpgPage.SPGIST_LEAF, leaf(1, 0, 40), placeholder);
        SpgPage.setNPlaceholder(p, 1);
        DecodedRecord r = TestRecord.of(RM, SpgRedo.ADD_LEAF).block(0, 7, null)
                .main(cat(le(1, 0, 1, 0, 2, 2, 2, 1, 2, 0, 2, 0), leaf(2, 0, 41))).build();
        redo.redo(r, 0, p);
        assertThat(SpgPage.nPlaceholder(p)).isZero();
        assertThat(item(p, 2)).isEqualTo(leaf(2, 0, 41));
        assertThat(item(p, 1)).isEqualTo(leaf(1, 2, 40));
    }

    @Test
    void addNodeMovesAGrownInnerTupleToANewPageAndLeavesARedirect() {
        byte[] src = page(0, inner(2), inner(1));
        byte[] header = cat(le(2, 2, 2, 1, 1, 1, 1, 0, 2, 1, 2, 1, 1, 0, 1, 0), STATE);
        DecodedRecord r = TestRecord.of(RM, SpgRedo.ADD_NODE).block(0, 5, null).block(1, 12, null, true)
                .main(cat(header, inner(3))).build();
        byte[] moved = new byte[PageOps.BLCKSZ];
        redo.redo(r, 1, moved);
        assertThat(item(moved, 1)).isEqualTo(inner(3));

        redo.redo(r, 0, src);
        assertThat(item(src, 2)).isEqualTo(SpgPage.deadTuple(SpgPage.REDIRECT, 12, 1, 900));
        assertThat(SpgPage.nRedirection(src)).isEqualTo(1);
        // the parent (item 1 of the source page) now points at the moved tuple through node 1
        assertThat(nodeLink(src, 1, 1)).isEqualTo(12);
    }

    @Test
    void moveLeafsLeavesARedirectAndPlaceholdersBehind() {
        byte[] src = page(SpgPage.SPGIST_LEAF, leaf(1, 0, 40), leaf(2, 1, 41), leaf(3, 0, 42));
        byte[] header = cat(le(2, 2, 1, 1, 1, 0, 1, 0, 1, 0, 2, 1, 2, 0, 2, 0), STATE);
        byte[] main = cat(header, le(2, 2, 2, 1), le(2, 1, 2, 2, 2, 3), leaf(1, 0, 40), leaf(2, 1, 41),
                leaf(9, 2, 43));
        DecodedRecord r = TestRecord.of(RM, SpgRedo.MOVE_LEAFS).block(0, 5, null).block(1, 8, null, true)
                .block(2, 3, null).main(main).build();
        redo.redo(r, 0, src);
        assertThat(IndexPage.maxOffset(src)).isEqualTo(3);
        assertThat(item(src, 2)).isEqualTo(SpgPage.deadTuple(SpgPage.REDIRECT, 8, 3, 900));
        assertThat(item(src, 1)).isEqualTo(SpgPage.deadTuple(SpgPage.PLACEHOLDER, 0, 0, 0));
        assertThat(SpgPage.nRedirection(src)).isEqualTo(1);
        assertThat(SpgPage.nPlaceholder(src)).isEqualTo(1);

        byte[] dst = new byte[PageOps.BLCKSZ];
        redo.redo(r, 1, dst);
        assertThat(item(dst, 3)).isEqualTo(leaf(9, 2, 43));

        byte[] parent = page(0, inner(2));
        redo.redo(r, 2, parent);
        assertThat(nodeLink(parent, 1, 0)).isEqualTo(8);
    }

    @Test
    void pickSplitDistributesLeavesByPageSelectorAndPlacesTheInnerTuple() {
        byte[] src = page(SpgPage.SPGIST_LEAF, leaf(1, 0, 40), leaf(2, 0, 41));
        byte[] header = cat(le(1, 0, 1, 0, 2, 2, 2, 2, 1, 0, 1, 1, 2, 1, 1, 1, 1, 0, 1, 0, 1, 0, 2, 1, 2, 0,
                2, 0), STATE);
        // delete 2 then 1: the first listed becomes the redirect to the inner tuple, the other a placeholder
        byte[] main = cat(header, le(2, 2, 2, 1), le(2, 1, 2, 1), le(1, 0, 1, 1), inner(2), leaf(1, 0, 40),
                leaf(2, 0, 41));
        DecodedRecord r = TestRecord.of(RM, SpgRedo.PICKSPLIT).block(0, 5, null).block(1, 9, null, true)
                .block(2, 6, null, true).main(main).build();
        redo.redo(r, 0, src);
        assertThat(item(src, 1)).isEqualTo(leaf(1, 0, 40));
        assertThat(item(src, 2)).isEqualTo(SpgPage.deadTuple(SpgPage.REDIRECT, 6, 1, 900));
        assertThat(SpgPage.nRedirection(src)).isEqualTo(1);
        assertThat(SpgPage.nPlaceholder(src)).isZero();

        byte[] dst = new byte[PageOps.BLCKSZ];
        redo.redo(r, 1, dst);
        assertThat(IndexPage.maxOffset(dst)).isEqualTo(1);
        assertThat(item(dst, 1)).isEqualTo(leaf(2, 0, 41));

        byte[] innerPage = new byte[PageOps.BLCKSZ];
        redo.redo(r, 2, innerPage);
        assertThat(item(innerPage, 1)).isEqualTo(inner(2));
        assertThat(Bytes.u16(innerPage, IndexPage.special(innerPage))).isZero();
    }

    @Test
    void vacuumLeafKillsMovesAndRechains() {
        byte[] p = page(SpgPage.SPGIST_LEAF, leaf(1, 3, 40), leaf(2, 0, 41), leaf(3, 0, 42), leaf(4, 0, 43));
        // item 2 dies, item 4 moves to slot 2 (leaving a placeholder), item 1's chain now points at 2
        byte[] main = cat(le(2, 1, 2, 0, 2, 1, 2, 1), STATE, le(2, 2), le(2, 4), le(2, 2), le(2, 1), le(2, 2));
        DecodedRecord r = TestRecord.of(RM, SpgRedo.VACUUM_LEAF).block(0, 5, null).main(main).build();
        redo.redo(r, 0, p);
        assertThat(item(p, 2)).isEqualTo(leaf(4, 0, 43));
        assertThat(item(p, 4)).isEqualTo(SpgPage.deadTuple(SpgPage.PLACEHOLDER, 0, 0, 0));
        assertThat(item(p, 1)).isEqualTo(leaf(1, 2, 40));
        assertThat(SpgPage.nPlaceholder(p)).isEqualTo(1);
    }

    @Test
    void vacuumRedirectTurnsRedirectsIntoPlaceholdersAndTrimsTrailingOnes() {
        byte[] p = page(0, inner(2), SpgPage.deadTuple(SpgPage.REDIRECT, 7, 1, 800),
                SpgPage.deadTuple(SpgPage.REDIRECT, 7, 2, 800));
        SpgPage.setNRedirection(p, 2);
        DecodedRecord r = TestRecord.of(RM, SpgRedo.VACUUM_REDIRECT).block(0, 5, null)
                .main(le(2, 2, 2, 2, 4, 800, 2, 2, 2, 3)).build();
        redo.redo(r, 0, p);
        assertThat(IndexPage.maxOffset(p)).isEqualTo(1);
        assertThat(SpgPage.nRedirection(p)).isZero();
        assertThat(SpgPage.nPlaceholder(p)).isZero();
    }

    @Test
    void maskHidesUnusedSpaceAndHints() {
        byte[] a = page(SpgPage.SPGIST_LEAF, leaf(1, 0, 40));
        byte[] b = a.clone();
        IndexPage.setPruneXid(b, 5);
        b[IndexPage.lower(b) + 3] = 1;
        IndexPage.setLsn(b, 77);
        redo.mask(a, 1);
        redo.mask(b, 1);
        assertThat(b).isEqualTo(a);
    }
}

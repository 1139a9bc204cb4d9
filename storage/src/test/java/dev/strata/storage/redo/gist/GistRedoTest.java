package dev.strata.storage.redo.gist;

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

class GistRedoTest {
    private static final int RM = GistRedo.RM_GIST_ID;
    private final GistRedo redo = new GistRedo();

    /** A 24-byte GiST tuple (a box-like key of 16 bytes). */
    static byte[] tuple(int key, int blk, int off) {
        byte[] t = new byte[24];
        IndexRedoSupport.setTid(t, 0, blk, off);
        IndexRedoSupport.setTInfo(t, 0, 24);
        Bytes.putI32(t, 8, key);
        return t;
    }

    static byte[] page(int flags, byte[]... items) {
        byte[] page = new byte[PageOps.BLCKSZ];
        IndexPage.pageInit(page, 16);
        Bytes.putU16(page, IndexPage.special(page) + 12, flags);
        Bytes.putU16(page, IndexPage.special(page) + 14, GistRedo.GIST_PAGE_ID);
        Bytes.putI32(page, IndexPage.special(page) + 8, -1);
        for (int i = 0; i < items.length; i++) {
            IndexPage.pageAddItem(page, items[i], 0, items[i].length, i + 1, false);
        }
        return page;
    }

    static byte[] item(byte[] page, int off) {
        int pos = IndexPage.item(page, off);
        return Arrays.copyOfRange(page, pos, pos + IndexPage.lpLen(page, off));
    }

    @Test
    void aOneForOneUpdateOverwritesInPlace() {
        byte[] p = page(GistRedo.F_LEAF, tuple(1, 0, 1), tuple(2, 0, 2));
        DecodedRecord r = TestRecord.of(RM, GistRedo.PAGE_UPDATE).block(0, 3, cat(le(2, 1), tuple(9, 0, 9)))
                .main(le(2, 1, 2, 1)).build();
        redo.redo(r, 0, p);
        assertThat(IndexPage.maxOffset(p)).isEqualTo(2);
        assertThat(item(p, 1)).isEqualTo(tuple(9, 0, 9));
        assertThat(IndexPage.lpOff(p, 1)).isEqualTo(PageOps.BLCKSZ - 16 - 24);
    }

    @Test
    void deletionsMarkALeafAndInsertionsAppend() {
        byte[] p = page(GistRedo.F_LEAF, tuple(1, 0, 1), tuple(2, 0, 2), tuple(3, 0, 3));
        DecodedRecord r = TestRecord.of(RM, GistRedo.PAGE_UPDATE)
                .block(0, 3, cat(le(2, 1, 2, 3), tuple(4, 0, 4))).main(le(2, 2, 2, 1)).build();
        redo.redo(r, 0, p);
        assertThat(IndexPage.maxOffset(p)).isEqualTo(2);
        assertThat(item(p, 1)).isEqualTo(tuple(2, 0, 2));
        assertThat(item(p, 2)).isEqualTo(tuple(4, 0, 4));
        assertThat(GistRedo.flags(p)).isEqualTo(GistRedo.F_LEAF | GistRedo.F_TUPLES_DELETED);
    }

    @Test
    void finishingASplitStampsTheChildNsnAndClearsFollowRightEvenAfterAnImage() {
        byte[] child = page(GistRedo.F_LEAF | GistRedo.F_FOLLOW_RIGHT, tuple(1, 0, 1));
        DecodedRecord r = TestRecord.of(RM, GistRedo.PAGE_UPDATE).block(0, 3, cat(le(2, 1), tuple(9, 0, 9)))
                .block(1, 7, null).main(le(2, 1, 2, 1)).build();
        assertThat(redo.afterImageRestore(r, 1, child)).isTrue();
        assertThat(GistRedo.flags(child)).isEqualTo(GistRedo.F_LEAF);
        int o = IndexPage.special(child);
        assertThat(((long) Bytes.i32(child, o) << 32) | (Bytes.i32(child, o + 4) & 0xFFFFFFFFL))
                .isEqualTo(r.endLsn());
        assertThat(redo.afterImageRestore(r, 0, child)).isFalse();
    }

    @Test
    void aSplitRebuildsEachPageWithRightLinksAndFollowRight() {
        byte[] main = le(4, 77, 4, 0, 8, 0x1234L, 1, 1, 1, 0, 2, 2, 1, 1, 1, 0, 2, 0);
        DecodedRecord r = TestRecord.of(RM, GistRedo.PAGE_SPLIT)
                .block(1, 5, cat(le(4, 2), tuple(1, 0, 1), tuple(2, 0, 2)), true)
                .block(2, 9, cat(le(4, 1), tuple(3, 0, 3)), true).main(main).build();
        byte[] left = new byte[PageOps.BLCKSZ];
        redo.redo(r, 1, left);
        byte[] expect = page(GistRedo.F_LEAF | GistRedo.F_FOLLOW_RIGHT, tuple(1, 0, 1), tuple(2, 0, 2));
        Bytes.putI32(expect, IndexPage.special(expect) + 8, 9);
        Bytes.putI32(expect, IndexPage.special(expect) + 4, 0x1234);
        IndexPage.setLsn(expect, r.endLsn());
        assertThat(left).isEqualTo(expect);

        byte[] right = new byte[PageOps.BLCKSZ];
        redo.redo(r, 2, right);
        assertThat(GistRedo.flags(right)).isEqualTo(GistRedo.F_LEAF);
        assertThat(Bytes.i32(right, IndexPage.special(right) + 8)).isEqualTo(77);
    }

    @Test
    void pageDeleteMarksTheLeafDeletedAndDropsTheDownlink() {
        DecodedRecord r = TestRecord.of(RM, GistRedo.PAGE_DELETE).block(0, 6, null).block(1, 2, null)
                .main(le(8, 0x2_0000_0400L, 2, 2)).build();
        byte[] leaf = page(GistRedo.F_LEAF);
        redo.redo(r, 0, leaf);
        assertThat(GistRedo.flags(leaf)).isEqualTo(GistRedo.F_LEAF | GistRedo.F_DELETED);
        assertThat(IndexPage.lower(leaf)).isEqualTo(32);
        assertThat(Bytes.i64(leaf, 24)).isEqualTo(0x2_0000_0400L);
        byte[] parent = page(0, tuple(1, 5, 0), tuple(2, 6, 0), tuple(3, 7, 0));
        redo.redo(r, 1, parent);
        assertThat(IndexPage.maxOffset(parent)).isEqualTo(2);
        assertThat(item(parent, 2)).isEqualTo(tuple(3, 7, 0));
    }

    @Test
    void deleteRemovesDeadTuplesAndClearsGarbageLikeThePrimaryPrunes() {
        byte[] p = page(GistRedo.F_LEAF | GistRedo.F_HAS_GARBAGE, tuple(1, 0, 1), tuple(2, 0, 2), tuple(3, 0, 3),
                tuple(4, 0, 4));
        DecodedRecord r = TestRecord.of(RM, GistRedo.DELETE).block(0, 3, null)
                .main(le(4, 700, 2, 3, 2, 1, 2, 2, 2, 4)).build();
        redo.redo(r, 0, p);
        assertThat(IndexPage.maxOffset(p)).isEqualTo(1);
        assertThat(item(p, 1)).isEqualTo(tuple(3, 0, 3));
        // gistprunepage on the primary leaves F_TUPLES_DELETED alone
        assertThat(GistRedo.flags(p)).isEqualTo(GistRedo.F_LEAF);
    }

    @Test
    void maskHidesNsnFollowRightGarbageAndLeafFlags() {
        byte[] a = page(GistRedo.F_LEAF, tuple(1, 0, 1));
        byte[] b = a.clone();
        GistRedo.setNsn(b, 999);
        GistRedo.setFlags(b, GistRedo.F_LEAF | GistRedo.F_HAS_GARBAGE | GistRedo.F_FOLLOW_RIGHT);
        IndexPage.setItemId(b, 1, IndexPage.lpOff(b, 1), PageOps.LP_DEAD, 24);
        redo.mask(a, 0);
        redo.mask(b, 0);
        assertThat(b).isEqualTo(a);
    }
}

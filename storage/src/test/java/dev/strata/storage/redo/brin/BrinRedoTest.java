package dev.strata.storage.redo.brin;

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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BrinRedoTest {
    private static final int RM = BrinRedo.RM_BRIN_ID;
    private final BrinRedo redo = new BrinRedo();

    /** A 16-byte summary tuple for heap block {@code heapBlk}. */
    static byte[] tuple(int heapBlk, int min) {
        byte[] t = new byte[16];
        Bytes.putI32(t, 0, heapBlk);
        t[4] = 8;
        Bytes.putI32(t, 8, min);
        return t;
    }

    static byte[] regular(byte[]... items) {
        DecodedRecord init = TestRecord.of(RM, BrinRedo.INSERT | BrinRedo.INIT_PAGE).block(0, 2, items[0], true)
                .block(1, 1, null).main(le(4, 0, 4, 128, 2, 1)).build();
        byte[] page = new byte[PageOps.BLCKSZ];
        new BrinRedo().redo(init, 0, page);
        for (int i = 1; i < items.length; i++) {
            IndexPage.pageAddItem(page, items[i], 0, items[i].length, i + 1, false);
        }
        return page;
    }

    static byte[] revmap() {
        DecodedRecord ext = TestRecord.of(RM, BrinRedo.REVMAP_EXTEND).block(0, 0, null).block(1, 1, null, true)
                .main(le(4, 1)).build();
        byte[] page = new byte[PageOps.BLCKSZ];
        new BrinRedo().redo(ext, 1, page);
        return page;
    }

    @Test
    void createIndexWritesTheMetapage() {
        DecodedRecord r = TestRecord.of(RM, BrinRedo.CREATE_INDEX).block(0, 0, null, true).main(le(4, 128, 2, 1))
                .build();
        byte[] page = new byte[PageOps.BLCKSZ];
        redo.redo(r, 0, page);
        assertThat(IndexPage.lower(page)).isEqualTo(40);
        assertThat(Bytes.i32(page, 24)).isEqualTo(0xA8109CFA);
        assertThat(Bytes.i32(page, 28)).isEqualTo(1);
        assertThat(Bytes.i32(page, 32)).isEqualTo(128);
        assertThat(Bytes.u16(page, 8190)).isEqualTo(BrinRedo.PAGETYPE_META);
    }

    @Test
    void insertFillsAnUnusedSlotAndPointsTheRevmapAtIt() {
        byte[] page = regular(tuple(0, 1), tuple(128, 2));
        IndexPage.pageIndexTupleDeleteNoCompact(page, 1);
        DecodedRecord r = TestRecord.of(RM, BrinRedo.INSERT).block(0, 2, tuple(256, 3)).block(1, 1, null)
                .main(le(4, 256, 4, 128, 2, 1)).build();
        redo.redo(r, 0, page);
        int pos = IndexPage.item(page, 1);
        assertThat(Arrays.copyOfRange(page, pos, pos + 16)).isEqualTo(tuple(256, 3));
        assertThat(IndexPage.maxOffset(page)).isEqualTo(2);

        byte[] map = revmap();
        redo.redo(r, 1, map);
        assertThat(IndexRedoSupport.tidBlock(map, 24 + 2 * 6)).isEqualTo(2);
        assertThat(IndexRedoSupport.tidOffset(map, 24 + 2 * 6)).isEqualTo(1);
    }

    @Test
    void updateRemovesTheOldTupleWithoutCompactingOffsets() {
        byte[] old = regular(tuple(0, 1), tuple(128, 2), tuple(256, 3));
        DecodedRecord r = TestRecord.of(RM, BrinRedo.UPDATE).block(0, 3, tuple(128, 9)).block(1, 1, null)
                .block(2, 2, null).main(le(2, 2, 2, 0, 4, 128, 4, 128, 2, 1)).build();
        redo.redo(r, 2, old);
        assertThat(IndexPage.maxOffset(old)).isEqualTo(3);
        assertThat(IndexPage.lpFlags(old, 2)).isEqualTo(PageOps.LP_UNUSED);
        assertThat(Bytes.i32(old, IndexPage.item(old, 3) + 8)).isEqualTo(3);
    }

    @Test
    void desummarizeInvalidatesTheRevmapEntry() {
        byte[] map = revmap();
        IndexRedoSupport.setTid(map, 24 + 6, 2, 2);
        DecodedRecord r = TestRecord.of(RM, BrinRedo.DESUMMARIZE).block(0, 1, null).block(1, 2, null)
                .main(le(4, 128, 4, 128, 2, 2)).build();
        redo.redo(r, 0, map);
        assertThat(IndexRedoSupport.tidBlock(map, 24 + 6)).isEqualTo(-1);
        assertThat(IndexRedoSupport.tidOffset(map, 24 + 6)).isZero();
    }

    @Test
    void samepageUpdateOverwritesTheTupleInPlace() {
        byte[] page = regular(tuple(0, 1), tuple(128, 2));
        byte[] bigger = cat(tuple(128, 5), new byte[8]);
        DecodedRecord r = TestRecord.of(RM, BrinRedo.SAMEPAGE_UPDATE).block(0, 2, bigger).main(le(2, 2)).build();
        redo.redo(r, 0, page);
        assertThat(IndexPage.lpLen(page, 2)).isEqualTo(24);
        assertThat(Bytes.i32(page, IndexPage.item(page, 2) + 8)).isEqualTo(5);
    }

    @Test
    void maskHidesTheEvacuateFlagButNotRevmapContents() {
        byte[] a = revmap();
        byte[] b = a.clone();
        Bytes.putU16(b, 8188, BrinRedo.EVACUATE_PAGE);
        redo.mask(a, 1);
        redo.mask(b, 1);
        assertThat(b).isEqualTo(a);
        IndexRedoSupport.setTid(b, 30, 4, 4);
        redo.mask(b, 1);
        assertThat(b).isNotEqualTo(a);
    }

    @Test
    void aZeroPagesPerRangeIsAnError() {
        DecodedRecord r = TestRecord.of(RM, BrinRedo.INSERT).block(0, 2, tuple(0, 1)).block(1, 1, null)
                .main(le(4, 0, 4, 0, 2, 1)).build();
        assertThatThrownBy(() -> redo.redo(r, 1, revmap())).hasMessageContaining("BRIN/INSERT at");
    }
}

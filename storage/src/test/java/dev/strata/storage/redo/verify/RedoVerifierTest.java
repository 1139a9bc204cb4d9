package dev.strata.storage.redo.verify;

import dev.strata.storage.pg.RelTag;
import dev.strata.storage.redo.JavaPageRedo;
import dev.strata.storage.redo.XLogRecordBuilder;
import dev.strata.storage.redo.page.PageOps;
import dev.strata.storage.wal.DecodedRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.strata.storage.redo.XLogRecordBuilder.bytes;
import static dev.strata.storage.redo.XLogRecordBuilder.le;
import static dev.strata.storage.redo.XLogRecordBuilder.record;
import static org.assertj.core.api.Assertions.assertThat;

class RedoVerifierTest {
    private static final RelTag REL = new RelTag(1663, 5, 16384, 0);

    private static byte[] tuple(int seed) {
        ByteBuffer b = le(32).putShort((short) 2).putShort((short) 0x0802).put((byte) 24).put((byte) 0);
        for (int i = 0; i < 12; i++) {
            b.put((byte) (seed + i));
        }
        return bytes(b);
    }

    private static XLogRecordBuilder insert(int offnum, boolean init) {
        XLogRecordBuilder r = record(10, init ? 0x82 : 0x02).xid(700).main(le(3).putShort((short) offnum)
                .put((byte) 0));
        return r;
    }

    /** The after-image PostgreSQL would log: the page after the change, before its LSN is set. */
    private static byte[] afterImage(DecodedRecord rec, byte[] before) {
        byte[] page = new JavaPageRedo().applyBlock(rec, 0, before == null ? null : before.clone());
        PageOps.pageSetLSN(page, before == null ? 0 : PageOps.pageGetLSN(before));
        return page;
    }

    @Test
    void matchingAfterImagesVerifyAndAWrongOneIsReportedWithItsPlace(@TempDir Path dumps) throws Exception {
        RedoVerifier v = new RedoVerifier(false, 5);
        DecodedRecord first = insert(1, true).willInitBlock(0, REL, 0, tuple(1)).decoded(0x100);
        byte[] img1 = afterImage(first, null);
        v.accept(insert(1, true).imageBlock(0, REL, 0, img1, true, false, true, tuple(1)).decoded(0x100));
        DecodedRecord second = insert(2, false).block(0, REL, 0, tuple(2)).decoded(0x200);
        byte[] base = img1.clone();
        PageOps.pageSetLSN(base, 0x100);
        byte[] img2 = afterImage(second, base);
        v.accept(insert(2, false).imageBlock(0, REL, 0, img2, true, false, tuple(2)).decoded(0x200));

        byte[] wrong = afterImage(insert(3, false).block(0, REL, 0, tuple(3)).decoded(0x300), img2);
        int t = PageOps.itemIdGetOffset(wrong, 3);
        wrong[t + 30] ^= 0x40;
        v.accept(insert(3, false).imageBlock(0, REL, 0, wrong, true, false, tuple(3)).decoded(0x300));

        TypeStats heap = v.stats().get("Heap/INSERT");
        assertThat(v.stats().get("Heap/INSERT+INIT").verified()).isEqualTo(1);
        assertThat(heap.verified()).isEqualTo(1);
        assertThat(heap.mismatched()).isEqualTo(1);
        assertThat(v.passed()).isFalse();
        Mismatch m = v.mismatches().get(0);
        assertThat(m.describe()).contains("Heap/INSERT").contains("1663/5/16384").contains("block 0")
                .contains("offset " + (t + 30));
        VerifyReport.dump(v, dumps);
        try (var files = Files.list(dumps)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly("0-0_1663_5_16384_main_0.primary", "0-0_1663_5_16384_main_0.strata");
        }
        assertThat(VerifyReport.table(v)).contains("Heap/INSERT").contains("TOTAL");
    }

    @Test
    void checkedBlocksWithoutAnEarlierVersionOrRedoAreCountedApart() {
        RedoVerifier v = new RedoVerifier(false, 5);
        byte[] page = new byte[8192];
        PageOps.pageInit(page, 0);
        v.accept(insert(2, false).imageBlock(0, REL, 7, page, true, false, tuple(2)).decoded(0x200));
        v.accept(record(21, 0).imageBlock(0, REL, 8, page, true, false, new byte[0]).decoded(0x300));
        assertThat(v.stats().get("Heap/INSERT").withoutBase()).isEqualTo(1);
        assertThat(v.stats().get("LogicalMessage/MESSAGE").unsupported()).isEqualTo(1);
        assertThat(v.unsupportedSamples()).singleElement().asString().contains("LogicalMessage/MESSAGE");
        assertThat(v.passed()).isFalse();
    }
}

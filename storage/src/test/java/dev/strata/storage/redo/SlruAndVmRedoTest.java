package dev.strata.storage.redo;

import dev.strata.storage.key.Key;
import dev.strata.storage.pg.RelTag;
import dev.strata.storage.redo.page.Bytes;
import dev.strata.storage.redo.page.PageOps;
import dev.strata.storage.redo.slru.SlruPages;
import dev.strata.storage.value.Value;
import dev.strata.storage.value.VersionedValue;
import dev.strata.storage.wal.DecodedRecord;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static dev.strata.storage.redo.XLogRecordBuilder.le;
import static dev.strata.storage.redo.XLogRecordBuilder.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SlruAndVmRedoTest {
    private static final RelTag HEAP = new RelTag(1663, 5, 16384, 0);
    private static final RelTag VM = HEAP.withFork(RelTag.VISIBILITYMAP_FORKNUM);
    private final JavaPageRedo redo = new JavaPageRedo();

    private static VersionedValue strata(long lsn, byte[] payload) {
        return new VersionedValue(lsn, Value.strataRecord(payload, false));
    }

    private static VersionedValue pg(long lsn, byte[] raw, boolean willInit) {
        return new VersionedValue(lsn, Value.pgRecord(raw, willInit));
    }

    /** The page after applying every effect of {@code rec} stored under {@code key}, starting from {@code base}. */
    private byte[] applyEffects(Key key, byte[] base, DecodedRecord rec) {
        List<VersionedValue> vals = new ArrayList<>();
        for (StrataEffects.Effect e : StrataEffects.of(rec)) {
            if (e.key().equals(key)) {
                vals.add(strata(rec.endLsn(), e.strataRecord()));
            }
        }
        return redo.reconstruct(key, rec.endLsn(), base, 0, vals);
    }

    @Test
    void clearVmFlagsOnAMissingVmPageStartsFromAnInitialisedPageAndKeepsItsLsn() {
        byte[] page = redo.reconstruct(Key.relBlock(VM, 0), 0x100, null, 0,
                List.of(strata(0x100, StrataRecord.clearVmFlags(5, -1, 3))));
        assertThat(PageOps.pageGetLower(page)).isEqualTo(24);
        assertThat(PageOps.pageGetUpper(page)).isEqualTo(8192);
        assertThat(PageOps.pageGetLSN(page)).isZero();
    }

    @Test
    void clearVmFlagsClearsOnlyTheBitsOfBlocksMappedToThisPage() {
        byte[] page = new byte[8192];
        PageOps.pageInit(page, 0);
        PageOps.pageSetLSN(page, 0x50);
        java.util.Arrays.fill(page, 24, 8192, (byte) 0xFF);
        byte[] out = redo.reconstruct(Key.relBlock(VM, 0), 0x100, page, 0x50, List.of(
                strata(0x100, StrataRecord.clearVmFlags(5, 32672 + 7, 2))));
        assertThat(out[24 + 1]).as("heap block 5: ALL_FROZEN cleared").isEqualTo((byte) ~(2 << 2));
        assertThat(out[24 + 1 + 1]).isEqualTo((byte) 0xFF);
        assertThat(PageOps.pageGetLSN(out)).isEqualTo(0x50);
    }

    @Test
    void truncateVmKeepsLowBitsOfTheBoundaryByteAndClearsTheRest() {
        byte[] page = new byte[8192];
        PageOps.pageInit(page, 0);
        java.util.Arrays.fill(page, 24, 8192, (byte) 0xFF);
        byte[] out = redo.reconstruct(Key.relBlock(VM, 0), 0x100, page, 0x50,
                List.of(strata(0x100, StrataRecord.truncateVm(10))));
        assertThat(out[24 + 1]).isEqualTo((byte) 0xFF);
        assertThat(out[24 + 2]).as("heap blocks 8, 9 kept, 10, 11 cleared").isEqualTo((byte) 0x0F);
        assertThat(out[24 + 3]).isZero();
        assertThat(out[8191]).isZero();
    }

    @Test
    void heapRecordsClearingVisibilityYieldVmEffectsForEachVmPage() {
        DecodedRecord upd = record(10, 0x20).xid(9).main(le(14).putInt(9).putShort((short) 1).put((byte) 0)
                .put((byte) 0x03).putInt(0).putShort((short) 1))
                .block(0, HEAP, 40000, new byte[]{2, 0, 0, 0, 24}).block(1, HEAP, 3, new byte[0]).decoded(0x200);
        List<StrataEffects.Effect> effects = StrataEffects.of(upd);
        assertThat(effects).extracting(e -> e.key()).containsExactly(Key.relBlock(VM, 1), Key.relBlock(VM, 0));
        DecodedRecord lock = record(10, 0x60).main(le(8).putInt(9).putShort((short) 1).put((byte) 0)
                .put((byte) 0x01)).block(0, HEAP, 3, new byte[0]).decoded(0x300);
        assertThat(StrataEffects.of(lock)).singleElement().satisfies(e ->
                assertThat(e.strataRecord()).isEqualTo(StrataRecord.clearVmFlags(3, -1, 2)));
    }

    @Test
    void smgrTruncateWithTheVmFlagTruncatesTheBoundaryVmPage() {
        DecodedRecord trunc = record(2, 0x20).main(le(20).putInt(32672 + 10).putInt(1663).putInt(5).putInt(16384)
                .putInt(7)).decoded(0x400);
        assertThat(StrataEffects.of(trunc)).singleElement().satisfies(e -> {
            assertThat(e.key()).isEqualTo(Key.relBlock(VM, 1));
            assertThat(e.strataRecord()).isEqualTo(StrataRecord.truncateVm(32672 + 10));
        });
    }

    private static ByteBuffer commitMain(int xinfo, int[] subxids) {
        ByteBuffer b = le(64).putLong(123456789L).putInt(xinfo);
        if ((xinfo & 2) != 0) {
            b.putInt(subxids.length);
            for (int s : subxids) {
                b.putInt(s);
            }
        }
        return b;
    }

    @Test
    void commitWithSubtransactionsOnTwoClogPagesCommitsEachXidOnItsPage() {
        int top = 32768 - 2;
        int[] subs = {32768 - 1, 32768 + 5};
        DecodedRecord commit = record(1, 0x80).xid(top).main(commitMain(2, subs)).decoded(0x500);
        Key page0 = SlruPages.key(Key.SLRU_CLOG, 0);
        Key page1 = SlruPages.key(Key.SLRU_CLOG, 1);
        byte[] p0 = applyEffects(page0, null, commit);
        byte[] p1 = applyEffects(page1, null, commit);
        assertThat(SlruPages.clogGetStatus(p0, top)).isEqualTo(1);
        assertThat(SlruPages.clogGetStatus(p0, subs[0])).isEqualTo(1);
        assertThat(SlruPages.clogGetStatus(p1, subs[1])).isEqualTo(1);
        assertThat(p0[(32768 - 1) / 4]).isEqualTo((byte) 0b0101_0000);
        byte[] direct = redo.reconstruct(page1, 0x500, null, 0, List.of(pg(0x500, commit.raw(), false)));
        assertThat(direct).as("the raw commit record applied to the CLOG page").isEqualTo(p1);
    }

    @Test
    void commitPreparedUsesThePreparedXidAndAbortMarksAborted() {
        ByteBuffer m = le(64).putLong(1).putInt(0x10).putInt(777);
        DecodedRecord cp = record(1, 0xB0).xid(0).main(m).decoded(0x600);
        byte[] page = applyEffects(SlruPages.key(Key.SLRU_CLOG, 0), null, cp);
        assertThat(SlruPages.clogGetStatus(page, 777)).isEqualTo(1);
        DecodedRecord abort = record(1, 0x20).xid(778).main(le(8).putLong(1)).decoded(0x700);
        page = applyEffects(SlruPages.key(Key.SLRU_CLOG, 0), page, abort);
        assertThat(SlruPages.clogGetStatus(page, 778)).isEqualTo(2);
        assertThat(SlruPages.clogGetStatus(page, 777)).isEqualTo(1);
    }

    @Test
    void subCommittedNeverOverwritesCommitted() {
        byte[] page = new byte[8192];
        SlruPages.clogSetStatus(page, 100, 1);
        SlruPages.clogSetStatus(page, 100, 3);
        assertThat(SlruPages.clogGetStatus(page, 100)).isEqualTo(1);
    }

    @Test
    void createIdWritesOffsetsOfThisAndTheNextMultixactAndTheMembers() {
        int multi = 2047;
        int offset = 1634;
        ByteBuffer m = le(64).putInt(multi).putInt(offset).putInt(3);
        m.putInt(500).putInt(1).putInt(501).putInt(5).putInt(502).putInt(0);
        DecodedRecord create = record(6, 0x20).main(m).decoded(0x800);
        byte[] off0 = applyEffects(SlruPages.key(Key.SLRU_MULTIXACT_OFFSETS, 0), null, create);
        byte[] off1 = applyEffects(SlruPages.key(Key.SLRU_MULTIXACT_OFFSETS, 1), null, create);
        assertThat(Bytes.i32(off0, 2047 * 4)).isEqualTo(offset);
        assertThat(Bytes.i32(off1, 0)).as("next multixact's offset, on the next page").isEqualTo(offset + 3);
        byte[] mem0 = applyEffects(SlruPages.key(Key.SLRU_MULTIXACT_MEMBERS, 0), null, create);
        byte[] mem1 = applyEffects(SlruPages.key(Key.SLRU_MULTIXACT_MEMBERS, 1), null, create);
        // members 1634, 1635 on page 0 (group 408 at byte 8160), member 1636 first of page 1
        assertThat(Bytes.i32(mem0, 8160 + 4 + 2 * 4)).isEqualTo(500);
        assertThat(mem0[8160 + 2]).isEqualTo((byte) 1);
        assertThat(Bytes.i32(mem0, 8160 + 4 + 3 * 4)).isEqualTo(501);
        assertThat(mem0[8160 + 3]).isEqualTo((byte) 5);
        assertThat(Bytes.i32(mem1, 4)).isEqualTo(502);
        byte[] direct = redo.reconstruct(SlruPages.key(Key.SLRU_MULTIXACT_MEMBERS, 0), 0x800, null, 0,
                List.of(pg(0x800, create.raw(), false)));
        assertThat(direct).isEqualTo(mem0);
    }

    @Test
    void zeroPageRecordsInitialiseTheirPageAndNameAWrongOne() {
        byte[] raw = record(3, 0x00).main(le(4).putInt(1)).raw();
        byte[] dirty = new byte[8192];
        dirty[5] = 1;
        assertThat(redo.reconstruct(SlruPages.key(Key.SLRU_CLOG, 1), 0x900, dirty, 0x10,
                List.of(pg(0x900, raw, true)))).isEqualTo(new byte[8192]);
        assertThatThrownBy(() -> redo.reconstruct(SlruPages.key(Key.SLRU_CLOG, 2), 0x900, null, 0,
                List.of(pg(0x900, raw, true)))).isInstanceOf(RedoException.class)
                .hasMessageContaining("CLOG/ZEROPAGE").hasMessageContaining("page 1 stored on page 2");
    }

    @Test
    void strataRecordOnTheWrongKindOfKeyIsAnError() {
        assertThatThrownBy(() -> redo.reconstruct(Key.relBlock(HEAP, 0), 0x100, new byte[8192], 0,
                List.of(strata(0x100, StrataRecord.clearVmFlags(1, -1, 3)))))
                .isInstanceOf(RedoException.class).hasMessageContaining("not a visibility-map block")
                .hasMessageContaining("0/100");
    }
}

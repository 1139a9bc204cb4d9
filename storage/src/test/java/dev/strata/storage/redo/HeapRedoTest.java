package dev.strata.storage.redo;

import dev.strata.storage.key.Key;
import dev.strata.storage.pg.RelTag;
import dev.strata.storage.redo.page.Bytes;
import dev.strata.storage.value.Value;
import dev.strata.storage.value.VersionedValue;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.strata.storage.redo.XLogRecordBuilder.bytes;
import static dev.strata.storage.redo.XLogRecordBuilder.le;
import static dev.strata.storage.redo.XLogRecordBuilder.record;
import static dev.strata.storage.redo.page.PageOps.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HeapRedoTest {
    static final RelTag REL = new RelTag(1663, 5, 16384, 0);
    static final Key BLK0 = Key.relBlock(REL, 0);
    static final Key BLK1 = Key.relBlock(REL, 1);
    private final JavaPageRedo redo = new JavaPageRedo();

    /** xl_heap_header (infomask2 = 2 atts, infomask, t_hoff 24) + one pad byte + body. */
    static byte[] tupleData(int infomask, byte[] body) {
        ByteBuffer b = le(6 + body.length).putShort((short) 2).putShort((short) infomask).put((byte) 24).put((byte) 0);
        return bytes(b.put(body));
    }

    static byte[] body(int len, int seed) {
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) {
            b[i] = (byte) (seed + i);
        }
        return b;
    }

    static byte[] insertRecord(int offnum, boolean init, int xid, byte[] body, int flags) {
        XLogRecordBuilder r = record(10, init ? 0x80 : 0x00).xid(xid)
                .main(le(3).putShort((short) offnum).put((byte) flags));
        byte[] data = tupleData(0x0802 | 0x20, body);
        return (init ? r.willInitBlock(0, REL, 0, data) : r.block(0, REL, 0, data)).raw();
    }

    static VersionedValue at(long lsn, byte[] raw) {
        return new VersionedValue(lsn, Value.pgRecord(raw, false));
    }

    private byte[] pageWithTwoTuples() {
        return redo.reconstruct(BLK0, 0x300, null, 0, List.of(at(0x100, insertRecord(1, true, 700, body(20, 1), 0)),
                at(0x200, insertRecord(2, false, 701, body(40, 2), 0))));
    }

    @Test
    void insertWithInitPageBuildsTheTupleFromTheRecord() {
        byte[] page = redo.reconstruct(BLK0, 0x100, null, 0, List.of(at(0x100, insertRecord(1, true, 700,
                body(20, 1), 0))));
        assertThat(pageGetLSN(page)).isEqualTo(0x100);
        assertThat(pageGetMaxOffsetNumber(page)).isEqualTo(1);
        int len = itemIdGetLength(page, 1);
        assertThat(len).isEqualTo(23 + 1 + 20);
        int t = itemIdGetOffset(page, 1);
        assertThat(t).isEqualTo(8192 - 48);
        assertThat(Bytes.i32(page, t)).as("xmin = record xid").isEqualTo(700);
        assertThat(Bytes.i32(page, t + 8)).as("cid").isZero();
        assertThat(Bytes.u16(page, t + 16)).as("ctid offset").isEqualTo(1);
        assertThat(Bytes.u16(page, t + 20)).as("COMBOCID cleared").isEqualTo(0x0802);
        assertThat(page[t + 22]).isEqualTo((byte) 24);
        assertThat(Arrays.copyOfRange(page, t + 24, t + 44)).isEqualTo(body(20, 1));
    }

    @Test
    void recordsAtOrBelowThePageLsnAreSkipped() {
        byte[] page = pageWithTwoTuples();
        byte[] again = redo.reconstruct(BLK0, 0x300, page, 0x200, List.of(at(0x200,
                insertRecord(3, false, 702, body(8, 3), 0))));
        assertThat(again).isEqualTo(page);
    }

    @Test
    void deleteSetsXmaxPrunableAndClearsAllVisible() {
        byte[] page = pageWithTwoTuples();
        pageSetAllVisible(page);
        byte[] del = record(10, 0x10).xid(900).main(le(8).putInt(900).putShort((short) 2).put((byte) 0)
                .put((byte) 0x01)).block(0, REL, 0, new byte[0]).raw();
        byte[] out = redo.reconstruct(BLK0, 0x400, page, 0x200, List.of(at(0x400, del)));
        int t = itemIdGetOffset(out, 2);
        assertThat(Bytes.i32(out, t + 4)).isEqualTo(900);
        assertThat(pageGetPruneXid(out)).isEqualTo(900);
        assertThat(pageIsAllVisible(out)).isFalse();
        assertThat(pageGetLSN(out)).isEqualTo(0x400);
    }

    @Test
    void samePageUpdateRebuildsPrefixAndSuffixFromTheOldTuple() {
        byte[] page = pageWithTwoTuples();
        byte[] old = body(40, 2);
        byte[] middle = {9, 9, 9, 9};
        // new body = old[0..10) + middle + old[30..40): prefix 10, suffix 10
        ByteBuffer data = le(64).putShort((short) 10).putShort((short) 10).putShort((short) 2).putShort((short) 0x0802)
                .put((byte) 24).put((byte) 0).put(middle);
        byte[] upd = record(10, 0x40).xid(950).main(le(14).putInt(950).putShort((short) 2).put((byte) 0)
                .put((byte) 0x60).putInt(0).putShort((short) 3)).block(0, REL, 0, bytes(data)).raw();
        byte[] out = redo.reconstruct(BLK0, 0x500, page, 0x200, List.of(at(0x500, upd)));
        int oldT = itemIdGetOffset(out, 2);
        assertThat(Bytes.u16(out, oldT + 18) & 0x4000).as("HOT_UPDATED").isNotZero();
        assertThat(Bytes.u16(out, oldT + 16)).as("old ctid points at the new tuple").isEqualTo(3);
        int newT = itemIdGetOffset(out, 3);
        assertThat(itemIdGetLength(out, 3)).isEqualTo(23 + 1 + 24);
        byte[] expected = new byte[24];
        System.arraycopy(old, 0, expected, 0, 10);
        System.arraycopy(middle, 0, expected, 10, 4);
        System.arraycopy(old, 30, expected, 14, 10);
        assertThat(Arrays.copyOfRange(out, newT + 24, newT + 48)).isEqualTo(expected);
    }

    @Test
    void crossPageUpdateChangesEachBlockOnItsOwn() {
        byte[] oldPage = pageWithTwoTuples();
        byte[] upd = record(10, 0xA0).xid(960).main(le(14).putInt(960).putShort((short) 1).put((byte) 0)
                .put((byte) 0).putInt(0).putShort((short) 1))
                .willInitBlock(0, REL, 1, tupleData(0x0802, body(12, 7))).block(1, REL, 0, new byte[0]).raw();
        byte[] newPage = redo.reconstruct(BLK1, 0x600, null, 0, List.of(at(0x600, upd)));
        assertThat(pageGetMaxOffsetNumber(newPage)).isEqualTo(1);
        assertThat(Bytes.i32(newPage, itemIdGetOffset(newPage, 1))).isEqualTo(960);
        byte[] old = redo.reconstruct(BLK0, 0x600, oldPage, 0x200, List.of(at(0x600, upd)));
        int t = itemIdGetOffset(old, 1);
        assertThat(Bytes.i32(old, t + 4)).isEqualTo(960);
        assertThat(Bytes.u16(old, t + 14)).as("ctid block").isEqualTo(1);
        assertThat(pageGetMaxOffsetNumber(old)).isEqualTo(2);
    }

    @Test
    void lockOnlyResetsCtidAndClearsHotUpdated() {
        byte[] page = pageWithTwoTuples();
        int t = itemIdGetOffset(page, 1);
        Bytes.putU16(page, t + 18, Bytes.u16(page, t + 18) | 0x4000);
        Bytes.putU16(page, t + 16, 9);
        byte[] lock = record(10, 0x60).xid(970).main(le(8).putInt(970).putShort((short) 1).put((byte) 0x02)
                .put((byte) 0)).block(0, REL, 0, new byte[0]).raw();
        byte[] out = redo.reconstruct(BLK0, 0x700, page, 0x200, List.of(at(0x700, lock)));
        assertThat(Bytes.u16(out, t + 20) & 0x80).as("LOCK_ONLY").isNotZero();
        assertThat(Bytes.u16(out, t + 18) & 0x4000).isZero();
        assertThat(Bytes.u16(out, t + 16)).isEqualTo(1);
        assertThat(Bytes.i32(out, t + 4)).isEqualTo(970);
    }

    @Test
    void recordOnAMissingItemIsAnErrorNamingLsnRelationBlockAndType() {
        byte[] page = pageWithTwoTuples();
        byte[] del = record(10, 0x10).xid(900).main(le(8).putInt(900).putShort((short) 7).putShort((short) 0))
                .block(0, REL, 0, new byte[0]).raw();
        assertThatThrownBy(() -> redo.reconstruct(BLK0, 0x400, page, 0x200, List.of(at(0x400, del))))
                .isInstanceOf(RedoException.class)
                .hasMessageContaining("Heap/DELETE").hasMessageContaining("0/400")
                .hasMessageContaining("1663/5/16384").hasMessageContaining("block 0")
                .hasMessageContaining("offset 7");
    }

    @Test
    void recordWithoutABaseIsAnError() {
        assertThatThrownBy(() -> redo.reconstruct(BLK0, 0x200, null, 0, List.of(at(0x200,
                insertRecord(2, false, 701, body(4, 2), 0)))))
                .isInstanceOf(RedoException.class).hasMessageContaining("missing base page")
                .hasMessageContaining("Heap/INSERT");
    }

    @Test
    void multiInsertAlignsEachTupleHeaderToTwoBytesFromTheBlockData() {
        ByteBuffer data = le(64);
        for (int i = 0; i < 3; i++) {
            if (data.position() % 2 != 0) {
                data.put((byte) 0x77);
            }
            data.putShort((short) 4).putShort((short) 2).putShort((short) 0x0802).put((byte) 24).put((byte) 0)
                    .put(body(3, 10 * i));
        }
        byte[] mi = record(9, 0xD0).xid(800).main(le(4).put((byte) 0).put((byte) 0).putShort((short) 3))
                .willInitBlock(0, REL, 0, bytes(data)).raw();
        byte[] page = redo.reconstruct(BLK0, 0x100, null, 0, List.of(at(0x100, mi)));
        assertThat(pageGetMaxOffsetNumber(page)).isEqualTo(3);
        for (int i = 1; i <= 3; i++) {
            int t = itemIdGetOffset(page, i);
            assertThat(itemIdGetLength(page, i)).isEqualTo(27);
            assertThat(Arrays.copyOfRange(page, t + 24, t + 27)).isEqualTo(body(3, 10 * (i - 1)));
            assertThat(Bytes.u16(page, t + 16)).isEqualTo(i);
        }
    }

    @Test
    void pruneRedirectsKillsFreesAndCompacts() {
        List<VersionedValue> recs = new ArrayList<>();
        recs.add(at(0x100, insertRecord(1, true, 700, body(8, 1), 0)));
        for (int i = 2; i <= 4; i++) {
            recs.add(at(0x100L * i, insertRecord(i, false, 700 + i, body(8, i), 0)));
        }
        byte[] page = redo.reconstruct(BLK0, 0x400, null, 0, recs);
        // redirect 1 -> 3, 2 dead, 4 unused
        byte[] prune = record(9, 0x10).main(le(8).putInt(0).putShort((short) 1).putShort((short) 1))
                .block(0, REL, 0, bytes(le(8).putShort((short) 1).putShort((short) 3).putShort((short) 2)
                        .putShort((short) 4))).raw();
        byte[] out = redo.reconstruct(BLK0, 0x500, page, 0x400, List.of(at(0x500, prune)));
        assertThat(pageGetMaxOffsetNumber(out)).as("trailing unused line pointer removed").isEqualTo(3);
        assertThat(itemIdGetFlags(out, 1)).isEqualTo(LP_REDIRECT);
        assertThat(itemIdGetOffset(out, 1)).isEqualTo(3);
        assertThat(itemIdGetFlags(out, 2)).isEqualTo(LP_DEAD);
        assertThat(itemIdGetOffset(out, 3)).isEqualTo(8192 - 32);
        assertThat(pageGetUpper(out)).isEqualTo(8192 - 32);

        byte[] vacuum = record(9, 0x20).main(le(2).putShort((short) 1)).block(0, REL, 0,
                bytes(le(2).putShort((short) 2))).raw();
        byte[] vac = redo.reconstruct(BLK0, 0x600, out, 0x500, List.of(at(0x600, vacuum)));
        assertThat(itemIdGetFlags(vac, 2)).isEqualTo(LP_UNUSED);
        assertThat(pageHasFreeLinePointers(vac)).isTrue();
    }

    @Test
    void freezeOverwritesInfomasksAndXmax() {
        byte[] page = pageWithTwoTuples();
        byte[] freeze = record(9, 0x30).main(le(6).putInt(720).putShort((short) 1))
                .block(0, REL, 0, bytes(le(12).putInt(0).putShort((short) 2).putShort((short) 2)
                        .putShort((short) 0x0B00).put((byte) 0x02).put((byte) 0))).raw();
        byte[] out = redo.reconstruct(BLK0, 0x500, page, 0x200, List.of(at(0x500, freeze)));
        int t = itemIdGetOffset(out, 2);
        assertThat(Bytes.u16(out, t + 20)).isEqualTo(0x0B00);
        assertThat(Bytes.i32(out, t + 8)).as("xvac frozen").isEqualTo(2);
        assertThat(Bytes.i32(out, t + 4)).isZero();
    }

    @Test
    void visibleSetsTheHeapFlagAndTheVmBitsFromNothing() {
        RelTag vm = REL.withFork(RelTag.VISIBILITYMAP_FORKNUM);
        byte[] vis = record(9, 0x40).main(le(5).putInt(700).put((byte) 3)).block(0, vm, 0, new byte[0])
                .block(1, REL, 5, new byte[0]).raw();
        byte[] vmPage = redo.reconstruct(Key.relBlock(vm, 0), 0x900, null, 0, List.of(at(0x900, vis)));
        assertThat(pageGetLSN(vmPage)).isEqualTo(0x900);
        assertThat(pageGetLower(vmPage)).isEqualTo(24);
        assertThat(vmPage[24 + 1]).isEqualTo((byte) (3 << 2));
        byte[] again = redo.reconstruct(Key.relBlock(vm, 0), 0xA00, vmPage, 0x900, List.of(at(0xA00,
                record(9, 0x40).main(le(5).putInt(700).put((byte) 3)).block(0, vm, 0, new byte[0])
                        .block(1, REL, 5, new byte[0]).raw())));
        assertThat(pageGetLSN(again)).as("same bits: LSN unchanged").isEqualTo(0x900);

        byte[] heap = pageWithTwoTuples();
        byte[] visHeap = record(9, 0x40).main(le(5).putInt(700).put((byte) 1)).block(0, vm, 0, new byte[0])
                .block(1, REL, 0, new byte[0]).raw();
        byte[] out = redo.reconstruct(BLK0, 0xB00, heap, 0x200, List.of(at(0xB00, visHeap)));
        assertThat(pageIsAllVisible(out)).isTrue();
        assertThat(pageGetLSN(out)).as("no hint-bit logging: heap LSN unchanged").isEqualTo(0x200);
        byte[] logged = new JavaPageRedo(RmgrRegistry.standard(true)).reconstruct(BLK0, 0xB00, heap, 0x200,
                List.of(at(0xB00, visHeap)));
        assertThat(pageGetLSN(logged)).isEqualTo(0xB00);
    }

    @Test
    void inplaceRewritesTheDataAreaOfTheSameLength() {
        byte[] page = pageWithTwoTuples();
        byte[] data = new byte[20];
        Arrays.fill(data, (byte) 0x5A);
        byte[] inplace = record(10, 0x70).main(le(2).putShort((short) 1)).block(0, REL, 0, data).raw();
        byte[] out = redo.reconstruct(BLK0, 0x500, page, 0x200, List.of(at(0x500, inplace)));
        int t = itemIdGetOffset(out, 1);
        assertThat(out[t + 24]).isEqualTo((byte) 0x5A);
        byte[] wrong = record(10, 0x70).main(le(2).putShort((short) 1)).block(0, REL, 0, new byte[5]).raw();
        assertThatThrownBy(() -> redo.reconstruct(BLK0, 0x500, page, 0x200, List.of(at(0x500, wrong))))
                .hasMessageContaining("wrong tuple length");
    }

    @Test
    void fullPageImageIsRestoredWithTheEndLsnAndAZeroImageStaysNew() {
        byte[] page = pageWithTwoTuples();
        byte[] fpi = record(0, 0xB0).imageBlock(0, REL, 0, page, true, true, new byte[0]).raw();
        byte[] out = redo.reconstruct(BLK0, 0x800, null, 0, List.of(at(0x800, fpi)));
        byte[] expected = page.clone();
        setLsnAndZeroHole(expected, 0x800);
        assertThat(out).isEqualTo(expected);
        byte[] zero = record(0, 0xB0).imageBlock(0, REL, 0, new byte[8192], true, true, new byte[0]).raw();
        assertThat(redo.reconstruct(BLK0, 0x900, page, 0x200, List.of(at(0x900, zero)))).isEqualTo(new byte[8192]);
    }

    private static void setLsnAndZeroHole(byte[] page, long lsn) {
        Arrays.fill(page, pageGetLower(page), pageGetUpper(page), (byte) 0);
        pageSetLSN(page, lsn);
    }

    @Test
    void unknownResourceManagerIsUnsupported() {
        byte[] rec = record(21, 0x00).main(le(2).putShort((short) 1)).block(0, REL, 0, new byte[8]).raw();
        assertThatThrownBy(() -> redo.reconstruct(BLK0, 0x500, pageWithTwoTuples(), 0x200, List.of(at(0x500, rec))))
                .isInstanceOf(UnsupportedRecordException.class).hasMessageContaining("LogicalMessage/MESSAGE");
    }
}

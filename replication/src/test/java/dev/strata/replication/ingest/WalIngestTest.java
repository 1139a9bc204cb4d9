package dev.strata.replication.ingest;

import dev.strata.storage.key.Key;
import dev.strata.storage.pg.RelTag;
import dev.strata.storage.pgdata.CheckPointData;
import dev.strata.storage.pgdata.ControlFileData;
import dev.strata.storage.pgdata.Datadir;
import dev.strata.storage.pgdata.DatadirModification;
import dev.strata.storage.redo.StrataRecord;
import dev.strata.storage.value.Value;
import dev.strata.storage.wal.DecodedRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32C;

import static dev.strata.replication.ingest.RecordBuilder.le;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WalIngestTest {
    private static final RelTag HEAP = new RelTag(1663, 5, 16384, RelTag.MAIN_FORKNUM);
    private static final RelTag VM = HEAP.withFork(RelTag.VISIBILITYMAP_FORKNUM);
    private static final RelTag FSM = HEAP.withFork(RelTag.FSM_FORKNUM);
    private static final long START = 0x1000;

    private final RecordingTimeline tl = new RecordingTimeline(START);
    private final Datadir dd = new Datadir(tl);
    private WalIngest ingest;
    private long lsn = START;

    @BeforeEach
    void importState() {
        DatadirModification mod = new DatadirModification(tl);
        mod.begin(START);
        CheckPointData cp = CheckPointData.decode(new byte[CheckPointData.SIZE]);
        cp.setNextXid(1024);
        cp.setNextOid(20000);
        cp.setNextMulti(1);
        cp.setOldestXid(700, 1);
        cp.setOldestMulti(1, 1);
        mod.putCheckpoint(cp.encode());
        mod.putControlFile(controlFile());
        for (int b = 0; b < 10; b++) {
            mod.putRelImage(HEAP, b, page(b + 1));
        }
        mod.putRelImage(VM, 0, page(0x7F));
        mod.putRelImage(VM, 1, page(0x7F));
        for (int b = 0; b < 3; b++) {
            mod.putRelImage(FSM, b, page(0x33));
        }
        mod.putSlruImage(Key.SLRU_CLOG, 0, 0, new byte[8192]);
        mod.commit(0);
        ingest = new WalIngest(new DatadirModification(tl), (rec, blk) -> page(0x44));
    }

    private static byte[] page(int fill) {
        byte[] p = new byte[8192];
        Arrays.fill(p, (byte) fill);
        return p;
    }

    private static byte[] controlFile() {
        ByteBuffer b = le(8192);
        b.putInt(8, ControlFileData.PG_CONTROL_VERSION).putInt(216, 8192).putInt(224, 8192).putInt(228, 16 << 20);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, 288);
        b.putInt(288, (int) crc.getValue());
        return b.array();
    }

    private DecodedRecord ingest(RecordBuilder b) {
        DecodedRecord rec = b.at(lsn);
        ingest.ingest(rec);
        lsn = rec.endLsn();
        return rec;
    }

    private CheckPointData checkpoint() {
        return CheckPointData.decode(dd.checkpoint(lsn));
    }

    @Test
    void heapInsertStoresTheRecordAndClearsTheBitsOnItsVisibilityMapPage() {
        ingest(new RecordBuilder(Rmgr.HEAP, Rmgr.HEAP_INSERT).xid(1500)
                .block(0, HEAP, 5, 0, new byte[] {1, 2, 3}).main(new byte[] {1, 0, 0x01}));
        Value heap = tl.at(Key.relBlock(HEAP, 5), lsn);
        assertThat(heap.kind()).isEqualTo(Value.PG_RECORD);
        assertThat(heap.willInit()).isFalse();
        Value vm = tl.at(Key.relBlock(VM, 0), lsn);
        assertThat(vm).isEqualTo(Value.strataRecord(StrataRecord.clearVmFlags(5, -1, 3), false));
    }

    @Test
    void heapInsertOnAPageBeyondTheMapLeavesTheMapAlone() {
        ingest(new RecordBuilder(Rmgr.HEAP, Rmgr.HEAP_INSERT | 0x80).xid(1500)
                .block(0, HEAP, 32672 * 2, 0x40, new byte[] {1}).main(new byte[] {1, 0, 0x01}));
        assertThat(tl.versions(Key.relBlock(VM, 2))).isEmpty();
        assertThat(tl.at(Key.relBlock(HEAP, 32672 * 2), lsn).willInit()).isTrue();
        assertThat(dd.relSize(HEAP, lsn)).isEqualTo(32672 * 2 + 1);
    }

    @Test
    void updateAcrossMapPagesClearsBothPagesSeparately() {
        ByteBuffer xl = le(14).putInt(1500).putShort((short) 1).put((byte) 0).put((byte) 0x03).putInt(0)
                .putShort((short) 1);
        ingest(new RecordBuilder(Rmgr.HEAP, Rmgr.HEAP_UPDATE).xid(1500).block(0, HEAP, 32672 + 3, 0, new byte[] {1})
                .block(1, HEAP, 4, 0, new byte[0]).main(xl));
        assertThat(tl.at(Key.relBlock(VM, 1), lsn))
                .isEqualTo(Value.strataRecord(StrataRecord.clearVmFlags(32672 + 3, -1, 3), false));
        assertThat(tl.at(Key.relBlock(VM, 0), lsn))
                .isEqualTo(Value.strataRecord(StrataRecord.clearVmFlags(4, -1, 3), false));
    }

    @Test
    void lockClearsOnlyTheAllFrozenBit() {
        ByteBuffer xl = le(8).putInt(1500).putShort((short) 2).put((byte) 0).put((byte) 0x01);
        ingest(new RecordBuilder(Rmgr.HEAP, Rmgr.HEAP_LOCK).xid(1500).block(0, HEAP, 7, 0, new byte[0]).main(xl));
        assertThat(tl.at(Key.relBlock(VM, 0), lsn))
                .isEqualTo(Value.strataRecord(StrataRecord.clearVmFlags(7, -1, 2), false));
    }

    @Test
    void appliedFullPageImageIsStoredAsAnImageWithThePageLsnOfTheRecordEnd() {
        byte[] img = page(0x44);
        DecodedRecord rec = ingest(new RecordBuilder(Rmgr.XLOG, 0xB0).blockWithImage(0, HEAP, 2, img));
        byte[] stored = tl.at(Key.relBlock(HEAP, 2), lsn).payload();
        ByteBuffer b = ByteBuffer.wrap(stored).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        assertThat(((long) b.getInt(0) << 32) | Integer.toUnsignedLong(b.getInt(4))).isEqualTo(rec.endLsn());
        assertThat(Arrays.copyOfRange(stored, 8, 8192)).isEqualTo(Arrays.copyOfRange(img, 8, 8192));
    }

    @Test
    void commitSetsClogStatusOnEveryPageOfTheTransactionTreeAndAdvancesNextXid() {
        ByteBuffer xl = le(8 + 4 + 4 + 8).putLong(777L).putInt(0x02).putInt(2).putInt(32768).putInt(40000);
        ingest(new RecordBuilder(Rmgr.XACT, Rmgr.XACT_COMMIT | 0x80).xid(32767).main(xl));
        assertThat(tl.at(Key.slruBlock(Key.SLRU_CLOG, 0, 0), lsn)).isEqualTo(Value.strataRecord(
                StrataRecord.clogSetStatus(StrataRecord.CLOG_COMMITTED, 777L, new int[] {32767}), false));
        assertThat(tl.at(Key.slruBlock(Key.SLRU_CLOG, 0, 1), lsn)).isEqualTo(Value.strataRecord(
                StrataRecord.clogSetStatus(StrataRecord.CLOG_COMMITTED, 777L, new int[] {32768, 40000}), true));
        assertThat(checkpoint().nextXid()).isEqualTo(40960);
    }

    @Test
    void abortDropsTheRelationsItCreated() {
        RelTag created = new RelTag(1663, 5, 16500, RelTag.MAIN_FORKNUM);
        ingest(new RecordBuilder(Rmgr.SMGR, Rmgr.SMGR_CREATE).main(le(16).putInt(1663).putInt(5).putInt(16500)
                .putInt(0)));
        assertThat(dd.relExists(created, lsn)).isTrue();
        ByteBuffer xl = le(8 + 4 + 4 + 12).putLong(0).putInt(0x04).putInt(1).putInt(1663).putInt(5).putInt(16500);
        ingest(new RecordBuilder(Rmgr.XACT, Rmgr.XACT_ABORT | 0x80).xid(1600).main(xl));
        assertThat(dd.relExists(created, lsn)).isFalse();
        assertThat(tl.at(Key.slruBlock(Key.SLRU_CLOG, 0, 0), lsn)).isEqualTo(Value.strataRecord(
                StrataRecord.clogSetStatus(StrataRecord.CLOG_ABORTED, 0, new int[] {1600}), false));
    }

    @Test
    void truncateLowersTheHeapZeroesThePartialFsmPageAndTrimsTheMap() {
        ingest(new RecordBuilder(Rmgr.SMGR, Rmgr.SMGR_TRUNCATE).main(le(20).putInt(5).putInt(1663).putInt(5)
                .putInt(16384).putInt(0x7)));
        assertThat(dd.relSize(HEAP, lsn)).isEqualTo(5);
        assertThat(dd.relPage(FSM, 2, lsn)).isEqualTo(new byte[8192]);
        assertThat(dd.relSize(FSM, lsn)).isEqualTo(3);
        assertThat(tl.at(Key.relBlock(VM, 0), lsn))
                .isEqualTo(Value.strataRecord(StrataRecord.truncateVm(5), false));
        assertThat(dd.relSize(VM, lsn)).isEqualTo(1);
    }

    @Test
    void fsmLeafPagesInterleaveWithTheUpperLevels() {
        assertThat(RelIngest.fsmLogicalToPhysical(0)).isEqualTo(2);
        assertThat(RelIngest.fsmLogicalToPhysical(1)).isEqualTo(3);
        assertThat(RelIngest.fsmLogicalToPhysical(RelIngest.SLOTS_PER_FSM_PAGE)).isEqualTo(4070 + 2);
    }

    @Test
    void multixactMembersAcrossTwoPagesGoToEachPageAndMoveTheCounters() {
        ByteBuffer xl = le(12 + 32).putInt(5).putInt(1634).putInt(4);
        for (int i = 0; i < 4; i++) {
            xl.putInt(2000 + i).putInt(i);
        }
        DecodedRecord rec = ingest(new RecordBuilder(Rmgr.MULTIXACT, Rmgr.MULTIXACT_CREATE_ID).xid(2000).main(xl));
        assertThat(tl.at(Key.slruBlock(Key.SLRU_MULTIXACT_OFFSETS, 0, 0), lsn))
                .isEqualTo(Value.pgRecord(rec.raw(), true));
        assertThat(tl.at(Key.slruBlock(Key.SLRU_MULTIXACT_MEMBERS, 0, 0), lsn)).isEqualTo(Value.strataRecord(
                StrataRecord.multixactMembers(1634, new int[] {2000, 2001}, new int[] {0, 1}), true));
        assertThat(tl.at(Key.slruBlock(Key.SLRU_MULTIXACT_MEMBERS, 0, 1), lsn)).isEqualTo(Value.strataRecord(
                StrataRecord.multixactMembers(1636, new int[] {2002, 2003}, new int[] {2, 3}), true));
        assertThat(checkpoint().nextMulti()).isEqualTo(6);
        assertThat(checkpoint().nextMultiOffset()).isEqualTo(1638);
    }

    @Test
    void multixactWhoseSuccessorStartsANewOffsetsPageChangesBothPages() {
        ByteBuffer xl = le(12 + 8).putInt(2047).putInt(10).putInt(1).putInt(2000).putInt(0);
        DecodedRecord rec = ingest(new RecordBuilder(Rmgr.MULTIXACT, Rmgr.MULTIXACT_CREATE_ID).xid(2000).main(xl));
        assertThat(tl.at(Key.slruBlock(Key.SLRU_MULTIXACT_OFFSETS, 0, 0), lsn)).isEqualTo(Value.pgRecord(rec.raw(),
                true));
        assertThat(tl.at(Key.slruBlock(Key.SLRU_MULTIXACT_OFFSETS, 0, 1), lsn)).isEqualTo(Value.pgRecord(rec.raw(),
                true));
    }

    @Test
    void clogZeroPageAndTruncateManageSegments() {
        for (int page : new int[] {32, 64, 96}) {
            ingest(new RecordBuilder(Rmgr.CLOG, Rmgr.CLOG_ZEROPAGE).main(le(4).putInt(page)));
        }
        assertThat(dd.slruSegments(Key.SLRU_CLOG, lsn)).containsExactly(0, 1, 2, 3);
        assertThat(dd.slruSegmentSize(Key.SLRU_CLOG, 2, lsn)).isEqualTo(1);
        ingest(new RecordBuilder(Rmgr.CLOG, Rmgr.CLOG_TRUNCATE).main(le(12).putInt(70).putInt(70 * 32768)
                .putInt(1)));
        assertThat(dd.slruSegments(Key.SLRU_CLOG, lsn)).containsExactly(2, 3);
        assertThat(checkpoint().oldestXid()).isEqualTo(70 * 32768);
    }

    @Test
    void checkpointRecordsMoveCountersTheWayPostgresRedoDoes() {
        ingest(new RecordBuilder(Rmgr.XLOG, Rmgr.XLOG_NEXTOID).main(le(4).putInt(30000)));
        assertThat(checkpoint().nextOid()).isEqualTo(30000);
        CheckPointData online = CheckPointData.decode(new byte[CheckPointData.SIZE]);
        online.setNextXid(900);
        online.setNextOid(25000);
        online.setOldestXid(800, 1);
        online.setNextMulti(9);
        ingest(new RecordBuilder(Rmgr.XLOG, Rmgr.XLOG_CHECKPOINT_ONLINE).main(online.encode()));
        assertThat(checkpoint().nextXid()).as("an online checkpoint never lowers nextXid").isEqualTo(1024);
        assertThat(checkpoint().nextOid()).as("nor sets nextOid").isEqualTo(30000);
        assertThat(checkpoint().oldestXid()).isEqualTo(800);
        assertThat(checkpoint().nextMulti()).isEqualTo(9);
        online.setNextXid(950);
        ingest(new RecordBuilder(Rmgr.XLOG, Rmgr.XLOG_CHECKPOINT_SHUTDOWN).main(online.encode()));
        assertThat(checkpoint().nextXid()).as("a shutdown checkpoint is believed exactly").isEqualTo(950);
        assertThat(checkpoint().nextOid()).isEqualTo(25000);
    }

    @Test
    void checkpointValueIsWrittenOnlyWhenItChanges() {
        int before = tl.versions(Key.checkpoint()).size();
        ingest(new RecordBuilder(Rmgr.HEAP, Rmgr.HEAP_INSERT).xid(1100).block(0, HEAP, 1, 0, new byte[] {1})
                .main(new byte[] {1, 0, 0}));
        assertThat(tl.versions(Key.checkpoint())).hasSize(before + 1);
        ingest(new RecordBuilder(Rmgr.HEAP, Rmgr.HEAP_INSERT).xid(1101).block(0, HEAP, 1, 0, new byte[] {1})
                .main(new byte[] {1, 0, 0}));
        assertThat(tl.versions(Key.checkpoint())).hasSize(before + 1);
        assertThat(checkpoint().nextXid()).isEqualTo(2048);
    }

    @Test
    void relmapUpdateStoresTheFileAndTheDatabase() {
        byte[] map = new byte[512];
        map[0] = 0x17;
        ByteBuffer xl = le(12 + 512).putInt(16400).putInt(1663).putInt(512).put(map);
        ingest(new RecordBuilder(Rmgr.RELMAP, 0).main(xl));
        assertThat(dd.relmapFile(1663, 16400, lsn)).isEqualTo(map);
        assertThat(dd.databases(lsn)).contains(new dev.strata.storage.pgdata.DatadirView.Database(1663, 16400));
    }

    @Test
    void parameterChangeUpdatesTheControlFile() {
        ByteBuffer xl = le(26).putInt(123).putInt(8).putInt(10).putInt(5).putInt(64).putInt(1).put((byte) 1)
                .put((byte) 0);
        ingest(new RecordBuilder(Rmgr.XLOG, Rmgr.XLOG_PARAMETER_CHANGE).main(xl));
        ControlFileData c = ControlFileData.parse(dd.controlFile(lsn), "test");
        assertThat(c.maxConnections()).isEqualTo(123);
        assertThat(c.walLevel()).isEqualTo(1);
    }

    @Test
    void twoPhaseStateIsKeptUntilCommitPrepared() {
        byte[] state = {0x34, 0x45, (byte) 0xF9, 0x57, 12, 0, 0, 0};
        ingest(new RecordBuilder(Rmgr.XACT, Rmgr.XACT_PREPARE).xid(1700).main(state));
        assertThat(dd.twoPhaseXids(lsn)).containsExactly(1700);
        ByteBuffer xl = le(8 + 4 + 4).putLong(5).putInt(0x10).putInt(1700);
        ingest(new RecordBuilder(Rmgr.XACT, Rmgr.XACT_COMMIT_PREPARED | 0x80).main(xl));
        assertThat(dd.twoPhaseXids(lsn)).isEmpty();
        assertThat(tl.at(Key.slruBlock(Key.SLRU_CLOG, 0, 0), lsn)).isEqualTo(Value.strataRecord(
                StrataRecord.clogSetStatus(StrataRecord.CLOG_COMMITTED, 5, new int[] {1700}), false));
    }

    @Test
    void aRecordThatCannotBeIngestedNamesItsLsnAndType() {
        RecordBuilder bad = new RecordBuilder(Rmgr.XACT, Rmgr.XACT_COMMIT | 0x80).main(le(12).putLong(1).putInt(2));
        DecodedRecord rec = bad.at(lsn);
        assertThatThrownBy(() -> ingest.ingest(rec)).hasMessageContaining("0/" + Long.toHexString(lsn).toUpperCase())
                .hasMessageContaining("rmgr 1");
    }
}

package dev.strata.storage.pgdata;

import dev.strata.storage.KeyNotFoundException;
import dev.strata.storage.key.Key;
import dev.strata.storage.pg.RelTag;
import dev.strata.storage.redo.StrataRecord;
import dev.strata.storage.value.Value;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DatadirModificationTest {
    private static final RelTag REL = new RelTag(1663, 5, 16384, RelTag.MAIN_FORKNUM);
    private static final byte[] RECORD = {1, 2, 3};

    private final MemoryTimeline tl = new MemoryTimeline(0x100);
    private final DatadirModification mod = new DatadirModification(tl);
    private final Datadir dd = new Datadir(tl);
    private long lsn = 0x100;

    private void record(Runnable body) {
        long start = lsn;
        lsn += 0x40;
        mod.begin(lsn);
        body.run();
        mod.commit(start);
    }

    private static byte[] page(int fill) {
        byte[] p = new byte[8192];
        Arrays.fill(p, (byte) fill);
        return p;
    }

    @Test
    void blockWriteCreatesTheForkAndItsDatabase() {
        record(() -> mod.putRelRecord(REL, 0, RECORD, false));
        assertThat(dd.relExists(REL, lsn)).isTrue();
        assertThat(dd.relSize(REL, lsn)).isEqualTo(1);
        assertThat(dd.relations(1663, 5, lsn)).containsExactly(REL);
        assertThat(dd.databases(lsn)).containsExactly(new DatadirView.Database(1663, 5));
    }

    @Test
    void recordBeyondTheSizeIsWillInitAndSkippedBlocksBecomeZeroPages() {
        record(() -> mod.putRelImage(REL, 0, page(7)));
        record(() -> mod.putRelRecord(REL, 3, RECORD, false));
        assertThat(tl.versions(Key.relBlock(REL, 3)).lastEntry().getValue().willInit()).isTrue();
        assertThat(dd.relSize(REL, lsn)).isEqualTo(4);
        assertThat(dd.relPage(REL, 1, lsn)).isEqualTo(new byte[8192]);
        assertThat(dd.relPage(REL, 2, lsn)).isEqualTo(new byte[8192]);
        record(() -> mod.putRelRecord(REL, 2, RECORD, false));
        assertThat(tl.versions(Key.relBlock(REL, 2)).lastEntry().getValue().willInit()).isFalse();
    }

    @Test
    void blocksOfOneRecordInDescendingOrderAreNotZeroFilledOverEachOther() {
        record(() -> {
            mod.putRelRecord(REL, 2, RECORD, false);
            mod.putRelRecord(REL, 1, RECORD, false);
        });
        assertThat(tl.versions(Key.relBlock(REL, 1)).lastEntry().getValue())
                .isEqualTo(Value.pgRecord(RECORD, true));
        assertThat(dd.relPage(REL, 0, lsn)).isEqualTo(new byte[8192]);
        assertThat(dd.relSize(REL, lsn)).isEqualTo(3);
    }

    @Test
    void truncateLowersTheSizeAndReExtensionStartsFromZero() {
        record(() -> {
            for (int b = 0; b < 5; b++) {
                mod.putRelImage(REL, b, page(b + 1));
            }
        });
        record(() -> mod.truncateRel(REL, 2));
        assertThat(dd.relSize(REL, lsn)).isEqualTo(2);
        record(() -> mod.putRelRecord(REL, 3, RECORD, false));
        assertThat(tl.versions(Key.relBlock(REL, 3)).lastEntry().getValue().willInit()).isTrue();
        assertThat(dd.relPage(REL, 2, lsn)).isEqualTo(new byte[8192]);
    }

    @Test
    void droppedForkIsGoneAtLaterLsnsButReadableBefore() {
        record(() -> mod.putRelImage(REL, 0, page(9)));
        long before = lsn;
        record(() -> mod.dropRel(REL));
        assertThat(dd.relExists(REL, lsn)).isFalse();
        assertThat(dd.relations(1663, 5, lsn)).isEmpty();
        assertThatThrownBy(() -> dd.relSize(REL, lsn)).isInstanceOf(KeyNotFoundException.class)
                .hasMessageContaining("1663/5/16384");
        assertThat(dd.relSize(REL, before)).isEqualTo(1);
        assertThat(dd.relPage(REL, 0, before)).isEqualTo(page(9));
    }

    @Test
    void strataRecordOnABlockBeyondTheForkIsNotStored() {
        RelTag vm = REL.withFork(RelTag.VISIBILITYMAP_FORKNUM);
        record(() -> assertThat(mod.putRelStrataRecord(vm, 0, StrataRecord.clearVmFlags(1, -1, 3))).isFalse());
        record(() -> mod.putRelImage(vm, 0, page(0)));
        record(() -> assertThat(mod.putRelStrataRecord(vm, 0, StrataRecord.clearVmFlags(1, -1, 3))).isTrue());
        assertThat(tl.versions(Key.relBlock(vm, 0)).lastEntry().getValue().kind()).isEqualTo(Value.STRATA_RECORD);
    }

    @Test
    void fileCopyDatabaseCopiesEveryForkAsImagesAndTheRelmap() {
        byte[] relmap = page(4);
        record(() -> {
            mod.putRelmap(1663, 1, Arrays.copyOf(relmap, 512));
            mod.putRelImage(new RelTag(1663, 1, 1259, 0), 0, page(1));
            mod.putRelImage(new RelTag(1663, 1, 1259, 0), 1, page(2));
            mod.createRel(new RelTag(1663, 1, 1259, 1));
        });
        record(() -> mod.copyDatabase(1663, 1, 1663, 16400));
        assertThat(dd.relations(1663, 16400, lsn)).containsExactly(new RelTag(1663, 16400, 1259, 0),
                new RelTag(1663, 16400, 1259, 1));
        assertThat(dd.relSize(new RelTag(1663, 16400, 1259, 1), lsn)).isZero();
        assertThat(dd.relPage(new RelTag(1663, 16400, 1259, 0), 1, lsn)).isEqualTo(page(2));
        assertThat(dd.relmapFile(1663, 16400, lsn)).isEqualTo(Arrays.copyOf(relmap, 512));
        assertThat(dd.databases(lsn)).contains(new DatadirView.Database(1663, 16400));
    }

    @Test
    void dropDatabaseRemovesItsForksRelmapAndEntry() {
        record(() -> {
            mod.putRelmap(1663, 16400, new byte[512]);
            mod.putRelImage(new RelTag(1663, 16400, 1259, 0), 0, page(1));
        });
        record(() -> mod.dropDatabase(1663, 16400));
        assertThat(dd.databases(lsn)).doesNotContain(new DatadirView.Database(1663, 16400));
        assertThat(dd.relmapFile(1663, 16400, lsn)).isNull();
        assertThat(dd.relExists(new RelTag(1663, 16400, 1259, 0), lsn)).isFalse();
        assertThatThrownBy(() -> dd.databaseSize(16400, lsn)).isInstanceOf(KeyNotFoundException.class);
    }

    @Test
    void createDatabaseWalLogStrategyMakesAnEmptyDatabase() {
        record(() -> mod.createDatabase(1663, 16500));
        assertThat(dd.databases(lsn)).containsExactly(new DatadirView.Database(1663, 16500));
        assertThat(dd.relations(1663, 16500, lsn)).isEmpty();
        assertThat(dd.databaseSize(16500, lsn)).isZero();
    }

    @Test
    void slruChangeOnAMissingPageStartsFromZerosAndFillsTheGap() {
        record(() -> mod.putSlruImage(Key.SLRU_CLOG, 0, 0, page(0x55)));
        record(() -> mod.putSlruRecord(Key.SLRU_CLOG, 0, 2,
                StrataRecord.clogSetStatus(StrataRecord.CLOG_COMMITTED, 0, new int[] {70000})));
        assertThat(dd.slruSegments(Key.SLRU_CLOG, lsn)).containsExactly(0);
        assertThat(dd.slruSegmentSize(Key.SLRU_CLOG, 0, lsn)).isEqualTo(3);
        assertThat(dd.slruPage(Key.SLRU_CLOG, 0, 1, lsn)).isEqualTo(new byte[8192]);
        assertThat(tl.versions(Key.slruBlock(Key.SLRU_CLOG, 0, 2)).lastEntry().getValue().willInit()).isTrue();
        record(() -> mod.dropSlruSegment(Key.SLRU_CLOG, 0));
        assertThat(dd.slruSegments(Key.SLRU_CLOG, lsn)).isEmpty();
    }

    @Test
    void twoPhaseFileIsServedWithItsCrc() {
        byte[] state = {10, 20, 30, 40, 50, 60, 70, 80};
        record(() -> mod.putTwoPhase(1234, state));
        byte[] file = dd.twoPhaseFile(1234, lsn);
        CRC32C crc = new CRC32C();
        crc.update(state);
        assertThat(Arrays.copyOf(file, 8)).isEqualTo(state);
        assertThat(ByteBuffer.wrap(file, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt()).isEqualTo((int) crc.getValue());
        assertThat(dd.twoPhaseXids(lsn)).containsExactly(1234);
        record(() -> mod.dropTwoPhase(1234));
        assertThat(dd.twoPhaseXids(lsn)).isEmpty();
        assertThatThrownBy(() -> dd.twoPhaseFile(1234, lsn)).isInstanceOf(KeyNotFoundException.class);
    }

    @Test
    void metadataIsWrittenOncePerRecordHoweverOftenItChanges() {
        record(() -> {
            for (int r = 0; r < 10; r++) {
                mod.putRelImage(new RelTag(1663, 5, 20000 + r, 0), 0, page(r));
            }
        });
        assertThat(tl.versions(Key.relDir(1663, 5))).hasSize(1);
        assertThat(dd.relations(1663, 5, lsn)).hasSize(10);
        assertThat(dd.databaseSize(5, lsn)).isEqualTo(10 * 8192L);
    }

    @Test
    void operationsOutsideARecordAreRefused() {
        assertThatThrownBy(() -> mod.createRel(REL)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("begin");
    }

    @Test
    void cachedStateIsReloadedByANewWriter() {
        record(() -> mod.putRelImage(REL, 4, page(1)));
        DatadirModification again = new DatadirModification(tl);
        again.begin(lsn + 0x40);
        assertThat(again.relSize(REL)).isEqualTo(5);
        assertThat(again.relations(1663, 5)).isEqualTo(List.of(REL));
    }
}

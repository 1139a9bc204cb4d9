package dev.strata.storage.redo;

import dev.strata.storage.key.Key;
import dev.strata.storage.value.Value;
import dev.strata.storage.value.VersionedValue;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The flat form of the records ({@link RecordBatch}) gives the same pages and the same errors as the list form, in
 * {@link JavaPageRedo}'s own override and in {@link PageRedo}'s default.
 */
class RecordBatchRedoTest {
    private static final long SEED = Long.getLong("strata.seed", System.nanoTime());
    private final JavaPageRedo redo = new JavaPageRedo();

    /** Heap inserts (the first one initialising the page) and Strata CLOG records, newest first in one batch. */
    @Test
    void batchAndListGiveIdenticalPagesForRandomRecordSequences() {
        System.out.println("RecordBatchRedoTest seed " + SEED);
        Random rnd = new Random(SEED);
        RecordBatch batch = new RecordBatch(); // reused across cases, as the read path does
        for (int round = 0; round < 300; round++) {
            boolean clog = rnd.nextInt(4) == 0;
            Key key = clog ? Key.slruBlock(Key.SLRU_CLOG, 0, rnd.nextInt(3)) : HeapRedoTest.BLK0;
            List<VersionedValue> all = clog ? clogRecords(rnd) : heapRecords(rnd);
            int cut = rnd.nextInt(all.size()); // records below the cut make the base image, or none when 0
            byte[] base = null;
            long baseLsn = 0;
            if (clog) {
                base = cut == 0 ? new byte[8192] : redo.reconstruct(key, all.get(cut - 1).lsn(), new byte[8192], 0,
                        all.subList(0, cut));
            } else if (cut > 0) {
                base = redo.reconstruct(key, all.get(cut - 1).lsn(), null, 0, all.subList(0, cut));
            }
            if (cut > 0) {
                baseLsn = all.get(cut - 1).lsn();
            }
            List<VersionedValue> records = all.subList(cut, all.size());
            long lsn = records.get(records.size() - 1).lsn();
            byte[] baseCopy = base == null ? null : base.clone();
            fill(batch, records);
            byte[] fromList = redo.reconstruct(key, lsn, base, baseLsn, records);
            byte[] fromBatch = redo.reconstruct(key, lsn, base, baseLsn, batch);
            byte[] fromDefault = listOnly().reconstruct(key, lsn, base, baseLsn, batch);
            assertThat(fromBatch).as("seed %d round %d", SEED, round).isEqualTo(fromList).isEqualTo(fromDefault);
            assertThat(base).as("the base image is not modified").isEqualTo(baseCopy);
        }
    }

    @Test
    void batchWithoutABaseForARecordThatNeedsOneFailsAsTheListDoes() {
        List<VersionedValue> records = List.of(HeapRedoTest.at(0x200, HeapRedoTest.insertRecord(2, false, 701,
                HeapRedoTest.body(8, 1), 0)));
        RecordBatch batch = new RecordBatch();
        fill(batch, records);
        String listMessage = null;
        try {
            redo.reconstruct(HeapRedoTest.BLK0, 0x200, null, 0, records);
        } catch (RedoException e) {
            listMessage = e.getMessage();
        }
        assertThat(listMessage).contains("missing base page");
        assertThatThrownBy(() -> redo.reconstruct(HeapRedoTest.BLK0, 0x200, null, 0, batch))
                .isInstanceOf(RedoException.class).hasMessage(listMessage);
    }

    @Test
    void batchKeepsRecordsNewestFirstAcrossGrowthAndReversal() {
        RecordBatch batch = new RecordBatch();
        Random rnd = new Random(SEED);
        List<byte[]> payloads = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            payloads.add(HeapRedoTest.body(1 + rnd.nextInt(3000), i));
        }
        // the first 10 appended newest first; the other 30 appended oldest first, then reversed
        for (int i = 0; i < 10; i++) {
            batch.add(1000 - i, Value.PG_RECORD, i == 9, payloads.get(i), 0, payloads.get(i).length);
        }
        for (int i = 39; i >= 10; i--) {
            byte[] p = payloads.get(i);
            int at = batch.put(batch.reserve(1), 1000 - i, Value.STRATA_RECORD, false, p.length);
            System.arraycopy(p, 0, batch.buffer(), at, p.length);
        }
        batch.reverseLast(30);
        assertThat(batch.size()).isEqualTo(40);
        for (int i = 0; i < 40; i++) {
            assertThat(batch.lsn(i)).isEqualTo(1000 - i);
            assertThat(batch.payload(i)).isEqualTo(payloads.get(i));
            assertThat(batch.kind(i)).isEqualTo(i < 10 ? Value.PG_RECORD : Value.STRATA_RECORD);
            assertThat(batch.willInit(i)).isEqualTo(i == 9);
        }
        assertThat(batch.toListOldestFirst().get(0).lsn()).isEqualTo(961);
        batch.clear();
        assertThat(batch.isEmpty()).isTrue();
        assertThatThrownBy(() -> batch.lsn(0)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    /** A will-init heap insert, then 0..14 inserts of random sizes at ascending LSNs. */
    private static List<VersionedValue> heapRecords(Random rnd) {
        List<VersionedValue> out = new ArrayList<>();
        long lsn = 0x1000 + rnd.nextInt(0x1000);
        out.add(new VersionedValue(lsn, Value.pgRecord(HeapRedoTest.insertRecord(1, true, 700,
                HeapRedoTest.body(1 + rnd.nextInt(200), rnd.nextInt()), 0), true)));
        int n = rnd.nextInt(15);
        for (int i = 0; i < n; i++) {
            lsn += 8 + rnd.nextInt(400);
            out.add(HeapRedoTest.at(lsn, HeapRedoTest.insertRecord(i + 2, false, 701 + i,
                    HeapRedoTest.body(1 + rnd.nextInt(200), rnd.nextInt()), 0)));
        }
        return out;
    }

    /** 1..12 CLOG status changes of random transactions of the page's range. */
    private static List<VersionedValue> clogRecords(Random rnd) {
        List<VersionedValue> out = new ArrayList<>();
        long lsn = 0x1000;
        int n = 1 + rnd.nextInt(12);
        for (int i = 0; i < n; i++) {
            lsn += 8 + rnd.nextInt(400);
            int[] xids = new int[1 + rnd.nextInt(4)];
            for (int x = 0; x < xids.length; x++) {
                xids[x] = 3 + rnd.nextInt(32768 - 3);
            }
            int status = 1 + rnd.nextInt(3);
            out.add(new VersionedValue(lsn, Value.strataRecord(StrataRecord.clogSetStatus(status, 0, xids), false)));
        }
        return out;
    }

    /** Fills {@code batch} with {@code oldestFirst} the way the read path does: newest first. */
    private static void fill(RecordBatch batch, List<VersionedValue> oldestFirst) {
        batch.clear();
        for (int i = oldestFirst.size() - 1; i >= 0; i--) {
            VersionedValue vv = oldestFirst.get(i);
            byte[] p = vv.value().payload();
            batch.add(vv.lsn(), vv.value().kind(), vv.value().willInit(), p, 0, p.length);
        }
    }

    /** A PageRedo with only the list form, so the batch goes through the interface's default. */
    private PageRedo listOnly() {
        return redo::reconstruct;
    }
}

package dev.strata.bench.redo;

import dev.strata.it.TestPrimary;
import dev.strata.storage.redo.RecordTypes;
import dev.strata.storage.redo.verify.RedoVerifier;
import dev.strata.storage.wal.BlockRef;
import dev.strata.storage.wal.DecodedRecord;
import dev.strata.storage.wal.WalSegmentReader;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Real records with the page version each applies to, taken from a primary run with
 * {@code wal_consistency_checking=all}: every sample has been checked against the primary's after-image (by
 * {@link RedoVerifier}) before it is used in a benchmark.
 */
final class RedoSamples {
    /** One block of one record and the page it applies to (null for a will-init block or an image). */
    record Sample(DecodedRecord rec, int blockId, byte[] base) {
    }

    private static final int MAX_PER_KIND = 32;

    private final Map<String, List<Sample>> byKind = new HashMap<>();

    /** Starts a primary, runs a small heap and btree workload and collects samples. */
    static RedoSamples collect(String walCompression) throws Exception {
        RedoSamples s = new RedoSamples();
        try (TestPrimary pg = TestPrimary.builder().setting("wal_consistency_checking", "all")
                .setting("wal_compression", walCompression).setting("autovacuum", "off").start()) {
            pg.sql("SELECT pg_create_physical_replication_slot('bench', true)", "CHECKPOINT");
            long start = pg.currentInsertLsn();
            pg.sql("CREATE TABLE h (id int, v text)",
                    "INSERT INTO h SELECT g, 'value ' || g FROM generate_series(1, 5000) g",
                    "UPDATE h SET v = v || '+' WHERE id % 3 = 0",
                    "CREATE TABLE b (id int, t text)",
                    "CREATE INDEX b_t ON b (t)",
                    "INSERT INTO b SELECT g, md5(g::text) FROM generate_series(1, 20000) g",
                    "CHECKPOINT",
                    "UPDATE h SET v = v || '!' WHERE id % 5 = 0");
            long end = pg.currentFlushLsn();
            RedoVerifier verifier = new RedoVerifier(false, 0);
            verifier.observe((rec, id, base, primary) -> s.add(RecordTypes.label(rec.rmid(), rec.info()),
                    new Sample(rec, id, base)));
            try (WalSegmentReader reader = WalSegmentReader.open(pg.walDir(), 0, start, end)) {
                for (DecodedRecord rec = reader.next(); rec != null; rec = reader.next()) {
                    verifier.accept(rec);
                    BlockRef b0 = rec.block(0);
                    if (rec.rmid() == 0 && b0 != null && b0.applyImage()) {
                        s.add("XLOG/FPI", new Sample(rec, 0, null));
                    }
                }
            }
        }
        return s;
    }

    private void add(String kind, Sample sample) {
        List<Sample> list = byKind.computeIfAbsent(kind, k -> new ArrayList<>());
        if (list.size() < MAX_PER_KIND && (sample.base != null || sample.rec.block(sample.blockId).willInit()
                || kind.equals("XLOG/FPI"))) {
            list.add(sample);
        }
    }

    /** Samples of a kind ({@code Rmgr/TYPE}, optionally only block id {@code blockId}); fails when none. */
    Sample[] of(String kind, int blockId) {
        List<Sample> list = byKind.getOrDefault(kind, List.of()).stream()
                .filter(x -> blockId < 0 || x.blockId == blockId).toList();
        if (list.isEmpty()) {
            throw new IllegalStateException("no verified samples of " + kind + " (kinds seen: " + byKind.keySet()
                    + "); is its resource manager registered?");
        }
        return list.toArray(new Sample[0]);
    }
}

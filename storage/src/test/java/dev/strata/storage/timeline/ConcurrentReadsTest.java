package dev.strata.storage.timeline;

import dev.strata.storage.KeyNotFoundException;
import dev.strata.storage.LsnBelowGcCutoffException;
import dev.strata.storage.key.Key;
import dev.strata.storage.pg.RelTag;
import dev.strata.storage.tenant.LocalTenantManager;
import dev.strata.storage.value.Value;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Readers on several threads read at fixed, leased LSNs and at recent LSNs while one thread ingests, background
 * flushes, compaction, image creation and GC run, and another thread forces compaction and GC: every answer is the
 * model's, and the only refusals are reads that GC's moving cutoff passed (never at a leased LSN).
 */
class ConcurrentReadsTest {
    @TempDir
    Path dir;

    private static final int RECORDS = EngineModelTest.HEAVY ? 40_000 : 6_000;

    @Test
    void readersAtFixedLsnsSeeTheModelWhileIngestCompactionAndGcRun() throws Exception {
        long seed = 4242;
        System.out.println("ConcurrentReadsTest seed " + seed + ", " + RECORDS + " records");
        Random rnd = new Random(seed);
        List<Key> keys = new ArrayList<>();
        for (int b = 0; b < 150; b++) {
            keys.add(Key.relBlock(new RelTag(1663, 5, 16384 + b % 3, 0), b));
        }
        EngineModel.Tl model = new EngineModel.Tl("model", null, 0, 1000, 0);
        List<EngineModel.Rec> records = generate(rnd, keys, model);
        EngineConfig config = new EngineConfig().withSmallLimitsForTests().checkpointDistance(32 << 10)
                .compactionTargetSize(32 << 10).gcHorizon(4000).pageCacheBytes(512 << 10)
                .compactionPeriod(Duration.ofMillis(30)).gcPeriod(Duration.ofMillis(50))
                .checkpointTimeout(Duration.ofMillis(200)).fsync(false);
        try (LocalTenantManager m = new LocalTenantManager(dir, config, new AppendRedo())) {
            Timeline tl = m.createTenant(null).createTimeline(null, 1000);
            int half = RECORDS / 3;
            ingest(tl, records.subList(0, half));
            List<Long> fixed = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                // Within the GC horizon of the last record, so no GC can have passed it yet.
                long lsn = records.get(half - 1 - rnd.nextInt(40)).end();
                tl.leaseLsn(lsn, Duration.ofHours(1));
                fixed.add(lsn);
            }
            AtomicBoolean done = new AtomicBoolean();
            ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
            AtomicLong reads = new AtomicLong();
            AtomicLong refused = new AtomicLong();
            List<Thread> threads = new ArrayList<>();
            for (int r = 0; r < 3; r++) {
                threads.add(thread("reader-" + r, errors, () -> {
                    ThreadLocalRandom tr = ThreadLocalRandom.current();
                    while (!done.get()) {
                        Key k = keys.get(tr.nextInt(keys.size()));
                        boolean atFixed = tr.nextBoolean();
                        long lsn = atFixed ? fixed.get(tr.nextInt(fixed.size()))
                                : Math.max(tl.gcCutoffLsn(), tl.lastRecordLsn() - tr.nextInt(3000));
                        try {
                            check(tl, model, k, lsn);
                            reads.incrementAndGet();
                        } catch (LsnBelowGcCutoffException e) {
                            assertThat(atFixed).as("a read at a leased LSN was refused: %s", e.getMessage()).isFalse();
                            refused.incrementAndGet();
                        }
                    }
                }));
            }
            threads.add(thread("maintenance", errors, () -> {
                while (!done.get()) {
                    tl.compact();
                    tl.gc();
                }
            }));
            threads.forEach(Thread::start);
            try {
                ingest(tl, records.subList(half, records.size()));
            } finally {
                done.set(true);
                for (Thread t : threads) {
                    t.join(60_000);
                }
            }
            if (!errors.isEmpty()) {
                AssertionError e = new AssertionError("concurrent reads failed: " + errors.peek(), errors.peek());
                errors.forEach(e::addSuppressed);
                throw e;
            }
            TimelineStats s = ((LocalTimeline) tl).stats();
            System.out.println("ConcurrentReadsTest: " + reads.get() + " reads checked, " + refused.get()
                    + " refused below the moving GC cutoff; " + s.compactions() + " compactions, "
                    + s.imageLayersCreated() + " image layers, " + s.gcLayersRemoved() + " layers removed by GC");
            assertThat(reads.get()).isGreaterThan(1000);
            assertThat(s.compactions()).isPositive();
            assertThat(s.gcRuns()).isPositive();
            for (long lsn : fixed) {
                for (Key k : keys) {
                    check(tl, model, k, lsn);
                }
            }
        }
    }

    private static void check(Timeline tl, EngineModel.Tl model, Key k, long lsn) {
        byte[] expected = EngineModel.expected(model, k, lsn);
        byte[] got;
        try {
            got = tl.get(k, lsn);
        } catch (KeyNotFoundException e) {
            got = null;
        }
        if (!Arrays.equals(got, expected)) {
            throw new AssertionError(k + " at " + lsn + ": expected " + str(expected) + ", got " + str(got));
        }
    }

    private static String str(byte[] b) {
        return b == null ? "not found" : new String(b, StandardCharsets.UTF_8);
    }

    private static Thread thread(String name, ConcurrentLinkedQueue<Throwable> errors, Runnable body) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                errors.add(e);
            }
        }, name);
        t.setDaemon(true);
        return t;
    }

    private static void ingest(Timeline tl, List<EngineModel.Rec> recs) {
        for (EngineModel.Rec r : recs) {
            for (Map.Entry<Key, Value> p : r.puts()) {
                tl.writer().put(p.getKey(), r.end(), p.getValue());
            }
            tl.writer().finishRecord(r.start(), r.end());
        }
    }

    /** Every record up front, committed to the model (reads only ask for LSNs ingest has reached). */
    private static List<EngineModel.Rec> generate(Random rnd, List<Key> keys, EngineModel.Tl model) {
        List<EngineModel.Rec> out = new ArrayList<>();
        long lsn = 1000;
        for (int i = 0; i < RECORDS; i++) {
            long end = lsn + 8 + rnd.nextInt(60);
            List<Map.Entry<Key, Value>> puts = new ArrayList<>();
            for (int n = 1 + rnd.nextInt(3); n > 0; n--) {
                Key k = keys.get(rnd.nextInt(keys.size()));
                if (puts.stream().anyMatch(p -> p.getKey().equals(k))) {
                    continue;
                }
                boolean exists = model.versions.containsKey(k);
                byte[] payload = ("v" + i + ";").getBytes(StandardCharsets.UTF_8);
                int p = rnd.nextInt(100);
                Value v = !exists || p < 5 ? Value.image(payload) : Value.pgRecord(payload, p < 10);
                puts.add(new AbstractMap.SimpleEntry<>(k, v));
            }
            EngineModel.Rec r = new EngineModel.Rec(lsn, end, puts);
            model.commit(r);
            out.add(r);
            lsn = end;
        }
        return out;
    }
}

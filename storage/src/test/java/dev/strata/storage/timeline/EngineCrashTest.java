package dev.strata.storage.timeline;

import dev.strata.storage.io.FaultInjector;
import dev.strata.storage.key.Key;
import dev.strata.storage.tenant.LocalTenantManager;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Crash simulation: the random workload of {@link EngineModelTest} runs with a fault injector that fails a random
 * durable step (a layer or metadata write, fsync, rename or deletion, inside a flush, a compaction, image creation,
 * GC, a branch or a shutdown) and every step after it, as a killed process would stop; the engine is then abandoned
 * without any cleanup and the directory reopened. After each reopening: no timeline lost anything at or below its
 * disk-consistent LSN (which never went back), the prev record LSN matches, no partial file is left, and once the
 * lost records are re-ingested from the log (as ingest does from the disk-consistent LSN) every read matches the
 * model again.
 */
class EngineCrashTest {
    @TempDir
    Path dir;

    static LongStream seeds() {
        String one = System.getProperty("strata.seed");
        if (one != null) {
            return LongStream.of(Long.parseLong(one));
        }
        return EngineModelTest.HEAVY ? LongStream.range(200, 210) : LongStream.of(11, 12, 13);
    }

    /** Fails the chosen step and every step after it. */
    static final class CrashInjector implements FaultInjector {
        final AtomicLong calls = new AtomicLong();
        volatile long crashAt = Long.MAX_VALUE;
        volatile String crashedAt;

        void arm(long atCall) {
            calls.set(0);
            crashedAt = null;
            crashAt = atCall;
        }

        void disarm() {
            crashAt = Long.MAX_VALUE;
            crashedAt = null;
        }

        boolean crashed() {
            return crashedAt != null;
        }

        @Override
        public void beforeStep(String point) {
            if (crashedAt != null) {
                throw new SimulatedCrash("after the crash at " + crashedAt + ": " + point);
            }
            if (calls.incrementAndGet() == crashAt) {
                crashedAt = operation() + ":" + point;
                throw new SimulatedCrash(point);
            }
        }

        /** Which engine operation the step belongs to, from the calling code. */
        static String operation() {
            List<String> engine = StackWalker.getInstance().walk(frames -> frames.map(f -> f.getClassName())
                    .map(c -> c.substring(c.lastIndexOf('.') + 1))
                    .filter(c -> Set.of("Flusher", "Compactor", "ImageCreator", "GarbageCollector", "LocalTenant",
                            "LocalTenantManager", "LocalTimeline").contains(c))
                    .toList());
            return engine.stream().filter(c -> !c.equals("LocalTimeline")).findFirst()
                    .orElse(engine.isEmpty() ? "other" : engine.get(0));
        }
    }

    static final class SimulatedCrash extends RuntimeException {
        SimulatedCrash(String point) {
            super("simulated crash before " + point);
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void nothingAtOrBelowTheDiskConsistentLsnIsLostWhenTheProcessDiesAtAnyStep(long seed) {
        int cycles = EngineModelTest.HEAVY ? 60 : 12;
        System.out.println("EngineCrashTest seed " + seed + " (replay with -Dstrata.seed=" + seed + "), " + cycles
                + " crash cycles");
        CrashInjector inj = new CrashInjector();
        EngineWorkload w = new EngineWorkload(dir, EngineModelTest.config().faultInjector(inj), seed);
        w.start();
        Set<String> crashPoints = new HashSet<>();
        try {
            for (int c = 0; c < cycles; c++) {
                inj.arm(1 + w.rnd.nextInt(150));
                for (int s = 0; s < 300 && !inj.crashed(); s++) {
                    try {
                        w.step();
                    } catch (RuntimeException | AssertionError e) {
                        if (!inj.crashed()) {
                            throw e;
                        }
                    }
                }
                if (!inj.crashed()) {
                    inj.disarm();
                    continue;
                }
                crashPoints.add(inj.crashedAt);
                recover(w, inj);
            }
            inj.disarm();
            w.reopen();
            w.checkEverything();
        } catch (AssertionError | RuntimeException e) {
            w.dumpLayers();
            throw new AssertionError("seed " + seed + " failed at step " + w.steps + ": " + e.getMessage(), e);
        } finally {
            inj.disarm();
            w.mgr.abandon();
        }
        System.out.println("EngineCrashTest seed " + seed + ": crashed in " + crashPoints);
    }

    private void recover(EngineWorkload w, CrashInjector inj) {
        w.mgr.abandon();
        inj.disarm();
        w.mgr = new LocalTenantManager(dir, w.config, new AppendRedo());
        w.settleInFlight();
        Map<String, Long> disk = new java.util.HashMap<>();
        for (EngineModel.Tl t : w.model.timelines.values()) {
            Timeline e = w.engine(t);
            long d = e.diskConsistentLsn();
            disk.put(t.id, d);
            assertThat(d).as("disk-consistent LSN of %s after the crash", t.id)
                    .isGreaterThanOrEqualTo(w.observedDisk.getOrDefault(t.id, t.startLsn))
                    .isLessThanOrEqualTo(t.last);
            assertThat(e.lastRecordLsn()).isEqualTo(d);
            assertThat(e.state()).isEqualTo(TimelineState.ACTIVE);
            long prev = t.prevAt(d);
            if (prev >= 0) {
                assertThat(e.prevRecordLsn()).as("prev record LSN of %s at %s", t.id, d).isEqualTo(prev);
            }
            assertNoLeftoverFiles(w, t, e);
        }
        for (EngineModel.Tl t : w.model.timelines.values()) {
            if (ancestryIntact(t, disk)) {
                checkUpTo(w, t, disk.get(t.id));
            }
        }
        for (EngineModel.Tl t : w.model.timelines.values()) {
            replay(w, t, disk.get(t.id));
        }
        for (EngineModel.Tl t : w.model.timelines.values()) {
            checkUpTo(w, t, t.last);
        }
    }

    /** True when every ancestor kept what this timeline reads from it (its branch point). */
    private static boolean ancestryIntact(EngineModel.Tl t, Map<String, Long> disk) {
        for (EngineModel.Tl c = t; c.parent != null; c = c.parent) {
            if (disk.get(c.parent.id) < c.ancestorLsn) {
                return false;
            }
        }
        return true;
    }

    private static void checkUpTo(EngineWorkload w, EngineModel.Tl t, long upTo) {
        Timeline e = w.engine(t);
        long lo = Math.max(t.startLsn, e.gcCutoffLsn());
        if (lo > upTo) {
            return;
        }
        for (int i = 0; i < 3; i++) {
            long lsn = i == 0 ? upTo : lo + (long) (w.rnd.nextDouble() * (upTo - lo + 1));
            for (Key k : w.keyPool) {
                w.checkRead(t, k, lsn);
            }
        }
    }

    /** Re-ingests the records above the disk-consistent LSN, as the WAL source would send them again. */
    private static void replay(EngineWorkload w, EngineModel.Tl t, long disk) {
        TimelineWriter tw = w.engine(t).writer();
        for (EngineModel.Rec r : t.log) {
            if (r.end() > disk) {
                r.puts().forEach(p -> tw.put(p.getKey(), r.end(), p.getValue()));
                tw.finishRecord(r.start(), r.end());
            }
        }
    }

    private void assertNoLeftoverFiles(EngineWorkload w, EngineModel.Tl t, Timeline e) {
        Path tlDir = dir.resolve("tenants").resolve(w.tenantId).resolve("timelines").resolve(t.id);
        Set<String> expected = e.layers().stream().filter(l -> !l.kind().equals("in-memory"))
                .map(LayerInfo::name).collect(Collectors.toSet());
        try (Stream<Path> s = Files.list(tlDir)) {
            List<String> names = s.map(p -> p.getFileName().toString()).toList();
            for (String n : names) {
                assertThat(n.equals(TimelineLoader.METADATA_FILE) || expected.contains(n) || n.startsWith("ephemeral-"))
                        .as("file %s in %s after reopening", n, tlDir).isTrue();
            }
            assertThat(names).containsAll(expected);
        } catch (IOException ex) {
            throw new AssertionError(ex);
        }
    }
}

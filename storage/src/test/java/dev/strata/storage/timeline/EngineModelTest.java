package dev.strata.storage.timeline;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.LongStream;

/**
 * Random puts over many keys and LSNs, freezes, flushes, compactions, image creation, branches, leases, GC and
 * reopenings, checked after every step against {@link EngineModel}. Three seeds of 2,500 steps by default; with
 * {@code -Dstrata.heavy=true} ten seeds of 20,000 steps. {@code -Dstrata.seed=N} replays one seed.
 */
class EngineModelTest {
    static final boolean HEAVY = Boolean.getBoolean("strata.heavy");

    @TempDir
    Path dir;

    static LongStream seeds() {
        String one = System.getProperty("strata.seed");
        if (one != null) {
            return LongStream.of(Long.parseLong(one));
        }
        return HEAVY ? LongStream.range(100, 110) : LongStream.of(1, 2, 3);
    }

    static EngineConfig config() {
        return new EngineConfig().withSmallLimitsForTests()
                .checkpointDistance(24 << 10)
                .compactionTargetSize(16 << 10)
                .gcHorizon(3000)
                .pageCacheBytes(256 << 10)
                .compactionPeriod(Duration.ZERO)
                .gcPeriod(Duration.ZERO)
                .fsync(false);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void everyReadMatchesTheModelThroughFlushesCompactionGcBranchesAndReopens(long seed) {
        int steps = HEAVY ? 20_000 : 2_500;
        System.out.println("EngineModelTest seed " + seed + " (replay with -Dstrata.seed=" + seed + "), " + steps
                + " steps");
        EngineWorkload w = new EngineWorkload(dir, config(), seed);
        w.start();
        try {
            for (int i = 0; i < steps; i++) {
                w.step();
                if (i % 500 == 499) {
                    w.checkEverything();
                }
            }
            w.reopen();
            w.checkEverything();
        } catch (AssertionError | RuntimeException e) {
            w.dumpLayers();
            throw new AssertionError("seed " + seed + " failed at step " + w.steps + ": " + e.getMessage(), e);
        } finally {
            w.mgr.close();
        }
    }
}

package dev.strata.bench.engine;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Image creation and L0 → L1 compaction, each measured alone (single shot per prepared state; the state for the
 * next shot is prepared outside the measurement).
 * <ul>
 *   <li>{@code imageCreation}: 16,384 pages, each an image plus one record in an L1 above it, re-imaged through the
 *       read path (no-op redo); pages/s = 16384 / time. Goal: at least 30,000 pages/s on one core.</li>
 *   <li>{@code compaction}: ten L0 files of 100-byte records (about 4 MiB of values each) merged into L1 files;
 *       MB/s = input bytes / time (the input size is printed).</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(1)
public class EngineMaintenanceBenchmark {
    static final int PAGES = 16_384;
    static final int COMPACTION_KEYS = 40_000;

    EngineBench bench;
    String benchmark;

    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) {
        benchmark = params.getBenchmark();
        bench = new EngineBench(EngineBench.config().imageCreationThreshold(1).compactionThreshold(1_000_000)
                .compactionTargetSize(128L << 20));
        if (benchmark.endsWith("imageCreation")) {
            bench.importPages(PAGES, new Random(3));
        }
    }

    @Setup(Level.Invocation)
    public void prepare() {
        if (benchmark.endsWith("imageCreation")) {
            bench.recordRound(PAGES, 100);
            bench.timeline.checkpoint();
            bench.timeline.compactL0();
        } else {
            for (int i = 0; i < 10; i++) {
                bench.recordRound(COMPACTION_KEYS, 100);
                bench.timeline.checkpoint();
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        System.out.println();
        System.out.println("stats: " + bench.timeline.stats());
        bench.close();
    }

    @Benchmark
    public String imageCreation() {
        return bench.timeline.createImages();
    }

    @Benchmark
    public String compaction() {
        return bench.timeline.compactL0();
    }
}

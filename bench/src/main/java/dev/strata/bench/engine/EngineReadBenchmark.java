package dev.strata.bench.engine;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Latency of {@code Timeline.get} at the latest LSN for a page with 0, 10 or 100 delta records above its image
 * (redo excluded: a no-op redo). Layout {@code l1}: the deltas were compacted into L1 files (the steady state);
 * {@code l0}: each round of deltas sits in its own L0 file (the worst case before compaction). The 0-delta case is
 * the baseline of the same run: goal, 10 deltas at most 2x it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class EngineReadBenchmark {
    static final int KEYS = 4096;

    @Param({"0", "10", "100"})
    int deltas;

    @Param({"l1", "l0"})
    String layout;

    EngineBench bench;
    // CPU time of the benchmark thread per read, printed per measurement iteration: on a shared machine wall time
    // includes waiting for a core, CPU time does not.
    final ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    long ops;
    long cpuAtStart;
    boolean measuring;

    @Setup(Level.Trial)
    public void setUp() {
        bench = new EngineBench(EngineBench.config().imageCreationThreshold(1_000_000)
                .compactionThreshold(1_000_000));
        bench.importPages(KEYS, new Random(1));
        for (int d = 0; d < deltas; d++) {
            bench.recordRound(KEYS, 100);
            if ("l0".equals(layout) || d == deltas - 1) {
                bench.timeline.checkpoint();
            }
        }
        if ("l1".equals(layout) && deltas > 0) {
            bench.timeline.compactL0();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        bench.close();
    }

    @Setup(Level.Iteration)
    public void startIteration(IterationParams params) {
        measuring = params.getType() == IterationType.MEASUREMENT;
        ops = 0;
        cpuAtStart = mx.getCurrentThreadCpuTime();
    }

    @TearDown(Level.Iteration)
    public void endIteration() {
        if (measuring && ops > 0) {
            System.out.printf(" [deltas=%d layout=%s: %.2f us of CPU per read]", deltas, layout,
                    (mx.getCurrentThreadCpuTime() - cpuAtStart) / 1e3 / ops);
        }
    }

    @Benchmark
    public byte[] getPage() {
        ops++;
        return bench.timeline.get(EngineBench.key(ThreadLocalRandom.current().nextInt(KEYS)), bench.lsn);
    }
}

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
import dev.strata.storage.timeline.TimelineStats;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

import dev.strata.bench.report.DurableFile;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Image creation and L0 → L1 compaction, each measured alone (single shot per prepared state; the state for the
 * next shot is prepared outside the measurement).
 * <ul>
 *   <li>{@code imageCreation}: 16,384 pages, each an image plus one record in an L1 above it, re-imaged through the
 *       read path (no-op redo; the keys read in order through a scan of the layer files) into a new image layer of
 *       134 MB, written and fsynced; pages/s = 16384 / time. Goal: at least 30,000 pages/s on one core.</li>
 *   <li>{@code compaction}: ten L0 files of 100-byte records (about 4 MiB of values each) merged into L1 files;
 *       MB/s = input bytes / time.</li>
 * </ul>
 * Besides JMH's wall-clock score, the trial prints the rate per second of CPU time, which is what "per core" means
 * and what stays meaningful on a machine shared with other work. It counts the CPU time of the whole process
 * (JIT and GC threads included), not only the benchmark thread's: the layer writers seal and write their blocks on
 * a write-behind thread, and that work (the kernel time of the write calls included) must count. With the system
 * property {@code strata.bench.raw} naming a directory (bench/run passes its raw directory), the trial also writes
 * these figures there as JSON, for the report: {@code engine-image-creation.json} with
 * {@code image_pages_per_cpu_s}, {@code image_pages_per_wall_s} and the per-shot {@code image_pages_per_cpu_s_by_shot};
 * {@code engine-compaction.json} with {@code compaction_mb_per_cpu_s}, {@code compaction_mb_per_wall_s} and
 * {@code compaction_mb_per_cpu_s_by_shot}.
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
    // CPU time of the process during the measured calls: the machine may be shared, and CPU time is what "per core"
    // means.
    final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long cpuAtStart;
    long wallAtStart;
    long unitsAtStart;
    long cpuNanos;
    long wallNanos;
    long units;
    final List<Double> perCpuSecondByShot = new ArrayList<>();
    boolean measuring;

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
        unitsAtStart = workDone();
        wallAtStart = System.nanoTime();
        cpuAtStart = os.getProcessCpuTime();
    }

    @Setup(Level.Iteration)
    public void iteration(IterationParams params) {
        measuring = params.getType() == IterationType.MEASUREMENT;
    }

    @TearDown(Level.Invocation)
    public void measured() {
        if (!measuring) {
            return;
        }
        long cpu = os.getProcessCpuTime() - cpuAtStart;
        long done = workDone() - unitsAtStart;
        cpuNanos += cpu;
        wallNanos += System.nanoTime() - wallAtStart;
        units += done;
        perCpuSecondByShot.add(rate(done, cpu));
    }

    /** Pages imaged or L0 bytes compacted so far. */
    private long workDone() {
        TimelineStats s = bench.timeline.stats();
        return benchmark.endsWith("imageCreation") ? s.imagePagesCreated() : s.compactedBytes();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        System.out.println();
        boolean images = benchmark.endsWith("imageCreation");
        if (images) {
            System.out.printf("imageCreation: %d pages, %.0f pages/s of wall time, %.0f pages/s of CPU time%n",
                    units, rate(units, wallNanos), rate(units, cpuNanos));
        } else {
            System.out.printf("compaction: %.1f MB of L0, %.1f MB/s of wall time, %.1f MB/s of CPU time%n",
                    units / 1e6, rate(units, wallNanos) / 1e6, rate(units, cpuNanos) / 1e6);
        }
        String raw = System.getProperty("strata.bench.raw");
        if (raw != null && units > 0) {
            double scale = images ? 1 : 1e-6;
            String prefix = images ? "image_pages" : "compaction_mb";
            StringBuilder json = new StringBuilder("{");
            json.append(String.format(Locale.ROOT, "\"%s_per_cpu_s\": %.1f, \"%s_per_wall_s\": %.1f, "
                    + "\"%s_per_cpu_s_by_shot\": [", prefix, rate(units, cpuNanos) * scale, prefix,
                    rate(units, wallNanos) * scale, prefix));
            for (int i = 0; i < perCpuSecondByShot.size(); i++) {
                json.append(i == 0 ? "" : ", ")
                        .append(String.format(Locale.ROOT, "%.1f", perCpuSecondByShot.get(i) * scale));
            }
            json.append("]}\n");
            DurableFile.write(Path.of(raw, images ? "engine-image-creation.json" : "engine-compaction.json"),
                    json.toString());
        }
        bench.close();
    }

    private static double rate(long units, long nanos) {
        return units / (nanos / 1e9);
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

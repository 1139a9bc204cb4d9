package dev.strata.bench.engine;

import dev.strata.storage.value.Value;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
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
import java.util.concurrent.TimeUnit;

/**
 * Ingest of values through {@code TimelineWriter.put} + {@code finishRecord}, one value per record, including the
 * freezes and the background flushes to L0 files (fsynced) they cause at a 64 MiB checkpoint distance. Throughput
 * in records/s; MB/s = records/s x valueBytes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class EngineIngestBenchmark {
    static final int BATCH = 1000;
    static final int KEYS = 100_000;

    @Param({"100", "8192"})
    int valueBytes;

    EngineBench bench;
    Value[] values;
    int next;
    // CPU time of the ingest thread per iteration (the flushes run on the engine's own threads): on a shared machine
    // wall time includes waiting for a core, CPU time does not.
    final ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    long cpuAtStart;
    int recordsAtStart;
    boolean measuring;

    @Setup(Level.Trial)
    public void setUp() {
        bench = new EngineBench(EngineBench.config().checkpointDistance(64L << 20));
        Random rnd = new Random(2);
        values = new Value[64];
        for (int i = 0; i < values.length; i++) {
            byte[] b = new byte[valueBytes - 2];
            rnd.nextBytes(b);
            values[i] = valueBytes >= 8192 ? Value.image(b) : Value.pgRecord(b, false);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        bench.close();
    }

    @Setup(Level.Iteration)
    public void startIteration(IterationParams params) {
        measuring = params.getType() == IterationType.MEASUREMENT;
        recordsAtStart = next;
        cpuAtStart = mx.getCurrentThreadCpuTime();
    }

    @TearDown(Level.Iteration)
    public void endIteration() {
        long records = next - recordsAtStart;
        if (measuring && records > 0) {
            double cpu = (mx.getCurrentThreadCpuTime() - cpuAtStart) / 1e9;
            System.out.printf(" [%d-byte values: ingest thread %.0f ns of CPU per record = %.0f MB/s of its CPU]",
                    valueBytes, cpu * 1e9 / records, records * (double) valueBytes / 1e6 / cpu);
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void ingest() {
        for (int i = 0; i < BATCH; i++) {
            long end = bench.lsn + valueBytes;
            int k = next++;
            bench.timeline.writer().put(EngineBench.key(k % KEYS), end, values[k & 63]);
            bench.timeline.writer().finishRecord(bench.lsn, end);
            bench.lsn = end;
        }
    }
}

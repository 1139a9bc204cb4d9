package dev.strata.bench.backup;

import dev.strata.it.TestPrimary;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.Stream;

/** The timings of {@link FullbackupBench}, one slot per repetition, and their JSON report. */
final class Measurements {
    /** Produces the tar into a stream; returns its length. */
    @FunctionalInterface
    interface TarSource {
        long writeTo(OutputStream out) throws Exception;
    }

    final double[] baseline;
    final double[] strata;
    final double[] extracted;
    final double[] toNull;
    /** CPU time of this JVM (every thread: the writer and the page readers) while it fed tar -x. */
    final double[] strataCpu;
    long bytes;
    double warmup = Double.NaN;

    Measurements(int reps) {
        baseline = new double[reps];
        strata = new double[reps];
        extracted = new double[reps];
        toNull = new double[reps];
        strataCpu = new double[reps];
    }

    /** Strata's fullbackup into tar -x plus fsync of the result, then the same tar into a null stream. */
    void measureStrata(int r, Path dir, TarSource source) throws Exception {
        long t0 = System.nanoTime();
        long cpu0 = processCpuNanos();
        long jit0 = ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
        long gc0 = gcMillis();
        bytes = FullbackupBench.extract(dir, source);
        extracted[r] = seconds(t0);
        strataCpu[r] = (processCpuNanos() - cpu0) / 1e9;
        long jit = ManagementFactory.getCompilationMXBean().getTotalCompilationTime() - jit0;
        long gc = gcMillis() - gc0;
        fsyncTree(dir);
        strata[r] = seconds(t0);
        TestPrimary.deleteTree(dir);
        long t1 = System.nanoTime();
        source.writeTo(OutputStream.nullOutputStream());
        toNull[r] = seconds(t1);
        System.err.printf(Locale.ROOT, "rep %d: strata %.3f s (%.3f s until tar -x is done; JVM CPU %.3f s, of "
                + "which JIT %d ms, GC %d ms), pg_basebackup %.3f s, tar into a null stream %.3f s%n", r + 1,
                strata[r], extracted[r], strataCpu[r], jit, gc, baseline[r], toNull[r]);
    }

    String json(int scale, String source) {
        double s = median(strata);
        double b = median(baseline);
        return String.format(Locale.ROOT, "{\"fullbackup_ratio_vs_pg_basebackup\": %.3f, "
                        + "\"strata_seconds_median\": %.3f, \"pg_basebackup_seconds_median\": %.3f, "
                        + "\"strata_until_extracted_seconds_median\": %.3f, "
                        + "\"strata_tar_to_null_seconds_median\": %.3f, \"strata_jvm_cpu_seconds_median\": %.3f, "
                        + "\"tar_bytes\": %d, \"pgbench_scale\": %d, "
                        + "\"reps\": %d, \"strata_seconds\": %s, \"pg_basebackup_seconds\": %s, "
                        + "\"strata_spread_pct\": %.0f, \"pg_basebackup_spread_pct\": %.0f, "
                        + "\"strata_warmup_seconds\": %s, \"source\": \"%s\"}",
                s / b, s, b, median(extracted), median(toNull), median(strataCpu), bytes, scale, strata.length,
                list(strata), list(baseline), spreadPct(strata), spreadPct(baseline),
                Double.isNaN(warmup) ? "null" : String.format(Locale.ROOT, "%.3f", warmup), source);
    }

    /** (max - min) / median, in percent: the run-to-run noise. */
    static double spreadPct(double[] v) {
        double min = Arrays.stream(v).min().orElse(0);
        double max = Arrays.stream(v).max().orElse(0);
        return 100 * (max - min) / median(v);
    }

    /**
     * fsync of every file and directory, as pg_basebackup's fsync_pgdata does. That one first asks the kernel to
     * start writing every file back (sync_file_range), then fsyncs them one by one, so the writeback overlaps;
     * Java has no sync_file_range, so the fsyncs run on several threads instead.
     */
    static void fsyncTree(Path dir) throws Exception {
        List<Path> all = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            s.forEach(all::add);
        }
        ForkJoinPool pool = new ForkJoinPool(8);
        try {
            pool.submit(() -> all.parallelStream().forEach(Measurements::fsync)).get();
        } finally {
            pool.shutdown();
        }
    }

    private static void fsync(Path p) {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException("fsync of " + p, e);
        }
    }

    /** Time the JVM's collectors have spent so far, in ms. */
    private static long gcMillis() {
        long ms = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            ms += Math.max(0, gc.getCollectionTime());
        }
        return ms;
    }

    /** CPU time of this JVM's every thread so far. */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static String list(double[] v) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) {
            b.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.3f", v[i]));
        }
        return b.append(']').toString();
    }
}

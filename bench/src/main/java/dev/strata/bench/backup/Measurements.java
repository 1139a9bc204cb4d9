package dev.strata.bench.backup;

import dev.strata.bench.report.ProcessCpu;
import dev.strata.it.TestPrimary;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/** The timings of {@link FullbackupBench}, one slot per repetition, and their JSON report. */
final class Measurements {
    /** Produces the tar into a stream; returns its length. */
    @FunctionalInterface
    interface TarSource {
        long writeTo(OutputStream out) throws Exception;
    }

    /** One timed run of a client; returns its wall time in seconds. */
    @FunctionalInterface
    interface Timed {
        double run() throws Exception;
    }

    /** pg_basebackup -c fast -X none -D from the primary. */
    final double[] baseline;
    /** The same pg_basebackup from Strata's BASE_BACKUP (NaN when the source has no server). */
    final double[] basebackup;
    /** CPU time of this JVM (server threads, page readers, JIT, GC) while it served that pg_basebackup. */
    final double[] basebackupCpu;
    /** pg_basebackup -F t -D - from Strata, stdout thrown away: the stream without a directory to write. */
    final double[] basebackupToNull;
    /** The same from the primary (NaN when not measured). */
    final double[] baselineToNull;
    /** Strata's fullbackup tar into tar -x, then pg_basebackup's sync of the directory (initdb --sync-only). */
    final double[] tarX;
    final double[] extracted;
    final double[] toNull;
    /** CPU time of this JVM while it fed tar -x. */
    final double[] tarXCpu;
    long bytes;
    long strataDirBytes;
    long primaryDirBytes;
    double warmup = Double.NaN;
    double basebackupWarmup = Double.NaN;
    int basebackupWarmupRounds;
    private final String loadBefore = loadAverage();

    Measurements(int reps) {
        baseline = new double[reps];
        basebackup = new double[reps];
        Arrays.fill(basebackup, Double.NaN);
        basebackupCpu = new double[reps];
        Arrays.fill(basebackupCpu, Double.NaN);
        basebackupToNull = new double[reps];
        Arrays.fill(basebackupToNull, Double.NaN);
        baselineToNull = new double[reps];
        Arrays.fill(baselineToNull, Double.NaN);
        tarX = new double[reps];
        extracted = new double[reps];
        toNull = new double[reps];
        tarXCpu = new double[reps];
    }

    /**
     * Times one pg_basebackup from Strata, with the CPU time this JVM spent meanwhile, and prints that CPU time by
     * thread group (page readers, the command thread that writes the tar, the event loop that sends it, the JIT
     * compiler, the garbage collector).
     */
    void measureBasebackup(int r, Timed run) throws Exception {
        long cpu0 = ProcessCpu.jvmNanos();
        Map<String, Long> threads0 = ProcessCpu.osThreadNanosByGroup();
        basebackup[r] = run.run();
        basebackupCpu[r] = (ProcessCpu.jvmNanos() - cpu0) / 1e9;
        Map<String, Long> threads1 = ProcessCpu.osThreadNanosByGroup();
        StringBuilder b = new StringBuilder();
        threads1.forEach((group, ns) -> {
            long d = ns - threads0.getOrDefault(group, 0L);
            if (d >= 10_000_000L) {
                b.append(String.format(Locale.ROOT, " %s %.3f s", group, d / 1e9));
            }
        });
        System.err.printf(Locale.ROOT, "rep %d: JVM CPU while serving pg_basebackup, by thread:%s%n", r + 1, b);
    }

    /** Strata's fullbackup into tar -x plus the sync of the result, then the same tar into a null stream. */
    void measureTarX(int r, TarExtractClient client, Path dir, TarSource source) throws Exception {
        long t0 = System.nanoTime();
        long cpu0 = ProcessCpu.jvmNanos();
        long jit0 = ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
        long gc0 = ProcessCpu.gcMillis();
        bytes = client.extract(dir, source);
        extracted[r] = seconds(t0);
        tarXCpu[r] = (ProcessCpu.jvmNanos() - cpu0) / 1e9;
        long jit = ManagementFactory.getCompilationMXBean().getTotalCompilationTime() - jit0;
        long gc = ProcessCpu.gcMillis() - gc0;
        client.sync(dir);
        tarX[r] = seconds(t0);
        TestPrimary.deleteTree(dir);
        long t1 = System.nanoTime();
        source.writeTo(OutputStream.nullOutputStream());
        toNull[r] = seconds(t1);
        System.err.printf(Locale.ROOT, "rep %d: pg_basebackup from the primary %.3f s (into a null stream %.3f s), "
                        + "from Strata %.3f s (JVM CPU %.3f s; into a null stream %.3f s); fullbackup into tar -x + "
                        + "sync %.3f s (%.3f s until tar -x is done; JVM CPU %.3f s, of which JIT %d ms, GC %d ms), "
                        + "tar into a null stream %.3f s%n", r + 1, baseline[r], baselineToNull[r], basebackup[r],
                basebackupCpu[r], basebackupToNull[r], tarX[r], extracted[r], tarXCpu[r], jit, gc, toNull[r]);
    }

    /**
     * The report. {@code fullbackup_ratio_vs_pg_basebackup} is the equal-footing figure (the same pg_basebackup
     * against each server) when it was measured, else the tar -x figure.
     */
    String json(int scale, String source) {
        double b = median(baseline);
        double bb = median(basebackup);
        double tx = median(tarX);
        boolean served = !Double.isNaN(bb);
        double keyed = served ? bb : tx;
        return String.format(Locale.ROOT, "{\"fullbackup_ratio_vs_pg_basebackup\": %.3f, "
                        + "\"keyed_on\": \"%s\", "
                        + "\"strata_seconds_median\": %.3f, \"pg_basebackup_seconds_median\": %.3f, "
                        + "\"strata_seconds\": %s, \"pg_basebackup_seconds\": %s, "
                        + "\"strata_spread_pct\": %.0f, \"pg_basebackup_spread_pct\": %.0f, "
                        + "\"strata_base_backup_ratio_vs_pg_basebackup\": %s, "
                        + "\"strata_base_backup_seconds_median\": %s, \"strata_base_backup_seconds\": %s, "
                        + "\"strata_base_backup_jvm_cpu_seconds_median\": %s, "
                        + "\"strata_base_backup_to_null_seconds_median\": %s, "
                        + "\"pg_basebackup_to_null_seconds_median\": %s, "
                        + "\"fullbackup_tar_x_ratio_vs_pg_basebackup\": %.3f, "
                        + "\"tar_x_seconds_median\": %.3f, \"tar_x_seconds\": %s, "
                        + "\"tar_x_until_extracted_seconds_median\": %.3f, "
                        + "\"tar_x_jvm_cpu_seconds_median\": %.3f, "
                        + "\"strata_tar_to_null_seconds_median\": %.3f, "
                        + "\"tar_bytes\": %d, \"strata_dir_bytes\": %d, \"pg_basebackup_dir_bytes\": %d, "
                        + "\"pgbench_scale\": %d, \"reps\": %d, "
                        + "\"strata_warmup_seconds\": %s, \"strata_base_backup_warmup_seconds\": %s, "
                        + "\"strata_base_backup_warmup_rounds\": %d, "
                        + "\"load_average_before\": \"%s\", \"load_average_after\": \"%s\", \"source\": \"%s\"}",
                keyed / b, served ? "pg_basebackup from Strata's BASE_BACKUP" : "fullbackup into tar -x",
                keyed, b, list(served ? basebackup : tarX), list(baseline), spreadPct(served ? basebackup : tarX),
                spreadPct(baseline), num(bb / b), num(bb), served ? list(basebackup) : "null",
                num(median(basebackupCpu)), num(median(basebackupToNull)), num(median(baselineToNull)), tx / b, tx,
                list(tarX), median(extracted), median(tarXCpu), median(toNull), bytes, strataDirBytes, primaryDirBytes,
                scale, baseline.length, num(warmup), num(basebackupWarmup), basebackupWarmupRounds, loadBefore,
                loadAverage(), source);
    }

    /** (max - min) / median, in percent: the run-to-run noise. */
    static double spreadPct(double[] v) {
        double min = Arrays.stream(v).min().orElse(0);
        double max = Arrays.stream(v).max().orElse(0);
        return 100 * (max - min) / median(v);
    }

    /** The 1, 5 and 15 minute load averages (the machine is shared: a figure is only as good as its load). */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    /** The median; NaN when any value is NaN (a figure that was not measured). */
    static double median(double[] v) {
        if (Arrays.stream(v).anyMatch(Double::isNaN)) {
            return Double.NaN;
        }
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "null" : String.format(Locale.ROOT, "%.3f", v);
    }

    private static String list(double[] v) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) {
            b.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.3f", v[i]));
        }
        return b.append(']').toString();
    }
}

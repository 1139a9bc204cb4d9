package dev.strata.bench.backup;

import dev.strata.it.TestPrimary;
import dev.strata.wire.backup.BackupOptions;
import dev.strata.wire.backup.BackupWriter;
import dev.strata.wire.backup.ClusterDirectoryView;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Time to produce a complete data directory: Strata's fullbackup against {@code pg_basebackup -c fast -X none -D}
 * from the primary, for the same pgbench database, measured in the same run.
 *
 * <p>Strata's side: {@link BackupWriter} streams the fullbackup tar of the stopped primary's files (read through
 * {@link ClusterDirectoryView}) into {@code tar -x}, then every file and directory is fsynced, as pg_basebackup
 * does by default. The two alternate, {@code --reps} times each; the medians are compared:
 * {@code fullbackup_ratio_vs_pg_basebackup = strata / pg_basebackup} (goal: at most 1.0). The tar's generation
 * alone (to a null stream) is reported too.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.strata.bench.backup.FullbackupBench --out fullbackup.json [--scale 20]
 *      [--reps 5]
 * </pre>
 */
public final class FullbackupBench {
    private FullbackupBench() {
    }

    public static void main(String[] args) throws Exception {
        Path out = null;
        int scale = 20;
        int reps = 5;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--out" -> out = Paths.get(args[++i]);
                case "--scale" -> scale = Integer.parseInt(args[++i]);
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (expected --out FILE [--scale N] [--reps N])");
            }
        }
        if (out == null) {
            throw new IllegalArgumentException("--out FILE is required");
        }
        String json = run(scale, reps);
        Files.writeString(out, json);
        System.out.println(json);
    }

    static String run(int scale, int reps) throws Exception {
        try (TestPrimary pg = TestPrimary.start()) {
            pg.pgbench("-i", "-q", "-s", Integer.toString(scale));
            pg.sql("VACUUM ANALYZE");
            double[] strata = new double[reps];
            double[] baseline = new double[reps];
            double[] toNull = new double[reps];
            double[] extract = new double[reps];
            long bytes = 0;
            for (int r = 0; r < reps; r++) {
                pg.sql("CHECKPOINT");
                baseline[r] = pgBasebackup(pg, "pgbb-" + r);
                pg.stopServer("fast");
                Path dir = pg.scratchDir("strata-" + r);
                long t0 = System.nanoTime();
                bytes = fullbackupInto(pg.dataDir(), dir);
                extract[r] = seconds(t0);
                fsyncTree(dir);
                strata[r] = seconds(t0);
                long t1 = System.nanoTime();
                writeFullbackup(pg.dataDir(), OutputStream.nullOutputStream());
                toNull[r] = seconds(t1);
                pg.startAgain();
                TestPrimary.deleteTree(dir);
                System.err.printf(Locale.ROOT, "rep %d: strata %.3f s (%.3f s until tar -x is done), pg_basebackup "
                        + "%.3f s, tar to null %.3f s%n", r + 1, strata[r], extract[r], baseline[r], toNull[r]);
            }
            double s = median(strata);
            double b = median(baseline);
            return String.format(Locale.ROOT, "{\"fullbackup_ratio_vs_pg_basebackup\": %.3f, "
                            + "\"strata_seconds_median\": %.3f, \"pg_basebackup_seconds_median\": %.3f, "
                            + "\"strata_tar_to_null_seconds_median\": %.3f, \"strata_until_extracted_seconds_median\": %.3f, "
                            + "\"tar_bytes\": %d, \"pgbench_scale\": %d, "
                            + "\"reps\": %d, \"strata_seconds\": %s, \"pg_basebackup_seconds\": %s, "
                            + "\"source\": \"files of the stopped primary through ClusterDirectoryView\"}",
                    s / b, s, b, median(toNull), median(extract), bytes, scale, reps, list(strata), list(baseline));
        }
    }

    private static double pgBasebackup(TestPrimary pg, String name) throws IOException {
        Path dir = pg.scratchDir(name).resolve("data");
        long t0 = System.nanoTime();
        pg.tool("pg_basebackup", "-h", "127.0.0.1", "-p", Integer.toString(pg.port()), "-U", "postgres",
                "-c", "fast", "-X", "none", "-D", dir.toString());
        double t = seconds(t0);
        TestPrimary.deleteTree(dir.getParent());
        return t;
    }

    /** Streams the fullbackup into {@code tar -x}; returns the tar's length. */
    private static long fullbackupInto(Path dataDir, Path dir) throws Exception {
        Process tar = new ProcessBuilder("tar", "-xf", "-", "-C", dir.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        long n;
        try (OutputStream stdin = tar.getOutputStream()) {
            n = writeFullbackup(dataDir, stdin);
        }
        if (!tar.waitFor(10, TimeUnit.MINUTES) || tar.exitValue() != 0) {
            throw new IOException("tar -x failed for the fullbackup of " + dataDir);
        }
        return n;
    }

    private static long writeFullbackup(Path dataDir, OutputStream out) throws IOException {
        try (ClusterDirectoryView view = ClusterDirectoryView.open(dataDir)) {
            long lsn = view.checkpointLsn();
            BackupWriter w = new BackupWriter(view, lsn, view.prevRecordLsn(lsn), BackupOptions.fullbackup());
            CountingStream counted = new CountingStream(new BufferedOutputStream(out, 1 << 20));
            w.writeTo(counted);
            counted.flush();
            return counted.count;
        }
    }

    /**
     * fsync of every file and directory, as pg_basebackup's fsync_pgdata does. That one first asks the kernel to
     * start writing every file back (sync_file_range), then fsyncs them one by one, so the writeback overlaps;
     * Java has no sync_file_range, so the fsyncs run on several threads instead.
     */
    private static void fsyncTree(Path dir) throws Exception {
        List<Path> all = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            s.forEach(all::add);
        }
        ForkJoinPool pool = new ForkJoinPool(8);
        try {
            pool.submit(() -> all.parallelStream().forEach(FullbackupBench::fsync)).get();
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

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private static double median(double[] v) {
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

    private static final class CountingStream extends java.io.FilterOutputStream {
        long count;

        CountingStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }
    }
}

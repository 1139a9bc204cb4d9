package dev.strata.bench.wal;

import dev.strata.bench.report.DurableFile;
import dev.strata.it.TestPrimary;
import dev.strata.server.cli.WaldumpCommand;
import dev.strata.storage.pg.Lsn;
import dev.strata.storage.wal.WalSegmentReader;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Decode throughput of the same WAL segments by Strata and by PostgreSQL's pg_waldump, as a ratio measured in one
 * run. Both decode and format every record in pg_waldump's line format to /dev/null: pg_waldump as a process
 * ({@code pg_waldump --path DIR --start S --end E > /dev/null}), Strata in this JVM (segment reader, record
 * decoder, formatter), after warm-up runs. Each side runs {@code --repeat} times; the medians are compared.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.strata.bench.wal.WalDecodeBench [--path DIR [--start LSN --end LSN]]
 *      [--scale 5] [--seconds 15] [--repeat 7] [--warmup 5] [--out result.json]
 * </pre>
 * Without {@code --path} it generates WAL with a scratch primary (pgbench -i at the scale, then a pgbench run).
 * The JSON written to {@code --out}: {@code strata_mb_s}, {@code pg_waldump_mb_s} and
 * {@code waldump_ratio_vs_pg_waldump} = pg_waldump time / Strata time (above 1: Strata is faster), both from the
 * medians of the repetitions, each repetition's time ({@code strata_ms}, {@code pg_waldump_ms}, arrays in the
 * order they ran) and the inputs (bytes, records, repeats).
 */
public final class WalDecodeBench {
    private Path path;
    private long start = Lsn.INVALID;
    private long end = Lsn.INVALID;
    private int scale = 5;
    private int seconds = 15;
    private int repeat = 7;
    private int warmup = 5;
    private Path out;

    public static void main(String[] args) throws Exception {
        WalDecodeBench b = new WalDecodeBench();
        b.parse(args);
        b.run();
    }

    private void parse(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--path" -> path = Path.of(require(args[i], v));
                case "--start" -> start = Lsn.parse(require(args[i], v));
                case "--end" -> end = Lsn.parse(require(args[i], v));
                case "--scale" -> scale = Integer.parseInt(require(args[i], v));
                case "--seconds" -> seconds = Integer.parseInt(require(args[i], v));
                case "--repeat" -> repeat = Integer.parseInt(require(args[i], v));
                case "--warmup" -> warmup = Integer.parseInt(require(args[i], v));
                case "--out" -> out = Path.of(require(args[i], v));
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (see the Javadoc of "
                        + WalDecodeBench.class.getName() + ")");
            }
            i++;
        }
    }

    private static String require(String opt, String v) {
        if (v == null) {
            throw new IllegalArgumentException(opt + " needs a value");
        }
        return v;
    }

    private void run() throws Exception {
        if (path != null) {
            measure(TestPrimary.findBindir().resolve("pg_waldump"));
            return;
        }
        try (TestPrimary pg = TestPrimary.builder().setting("wal_keep_size", "4GB").setting("max_wal_size", "4GB")
                .setting("autovacuum", "off").start()) {
            System.out.printf("generating WAL: pgbench -i -s %d, then pgbench -T %d%n", scale, seconds);
            pg.sql("CHECKPOINT");
            pg.pgbench("-i", "-s", Integer.toString(scale), "-q");
            pg.pgbench("-c", "2", "-j", "2", "-T", Integer.toString(seconds));
            pg.sql("CHECKPOINT");
            end = pg.currentInsertLsn();
            pg.stopServer("fast");
            path = pg.walDir();
            measure(pg.bindir().resolve("pg_waldump"));
        }
    }

    private void measure(Path pgWaldump) throws Exception {
        try (WalSegmentReader probe = WalSegmentReader.open(path, 0, start, end)) {
            if (probe.next() == null) {
                throw new IllegalStateException("no WAL records in " + path + ": " + probe.endReason());
            }
            start = probe.startLsn();
        }
        if (end == Lsn.INVALID) {
            end = lastRecordEnd();
        }
        long bytes = end - start;
        System.out.printf("WAL %s .. %s (%.1f MB) in %s%n", Lsn.format(start), Lsn.format(end), bytes / 1e6, path);
        long records = 0;
        for (int i = 0; i < warmup; i++) {
            records = strataOnce();
            pgWaldumpOnce(pgWaldump);
        }
        long[] strata = new long[repeat];
        long[] pg = new long[repeat];
        for (int i = 0; i < repeat; i++) {
            long t0 = System.nanoTime();
            records = strataOnce();
            strata[i] = System.nanoTime() - t0;
            t0 = System.nanoTime();
            pgWaldumpOnce(pgWaldump);
            pg[i] = System.nanoTime() - t0;
        }
        report(bytes, records, strata, pg);
    }

    /** Strata: read, decode and format every record to /dev/null. */
    private long strataOnce() throws IOException {
        try (WalSegmentReader reader = WalSegmentReader.open(path, 0, start, end);
             OutputStream devNull = new BufferedOutputStream(new FileOutputStream("/dev/null"), 1 << 16)) {
            return WaldumpCommand.dump(reader, devNull);
        }
    }

    private void pgWaldumpOnce(Path pgWaldump) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(pgWaldump.toString(), "--path", path.toString(), "--start",
                Lsn.format(start), "--end", Lsn.format(end))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.PIPE).start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("pg_waldump failed: " + err);
        }
    }

    /** Where the last complete record in the directory ends (for --path without --end). */
    private long lastRecordEnd() {
        long last = start;
        try (WalSegmentReader reader = WalSegmentReader.open(path, 0, start, Lsn.INVALID)) {
            while (reader.next() != null) {
                last = reader.nextRecordLsn();
            }
        }
        return last;
    }

    private void report(long bytes, long records, long[] strata, long[] pg) throws IOException {
        long strataNanos = median(strata);
        long pgNanos = median(pg);
        double strataMbS = bytes / 1e6 / (strataNanos / 1e9);
        double pgMbS = bytes / 1e6 / (pgNanos / 1e9);
        double ratio = (double) pgNanos / strataNanos;
        String json = String.format(Locale.ROOT, "{\"strata_mb_s\": %.1f, \"pg_waldump_mb_s\": %.1f, "
                        + "\"waldump_ratio_vs_pg_waldump\": %.3f, \"wal_bytes\": %d, \"records\": %d, "
                        + "\"repeats\": %d, \"strata_median_ms\": %.1f, \"pg_waldump_median_ms\": %.1f, "
                        + "\"strata_ms\": %s, \"pg_waldump_ms\": %s}",
                strataMbS, pgMbS, ratio, bytes, records, repeat, strataNanos / 1e6, pgNanos / 1e6, millis(strata),
                millis(pg));
        System.out.printf(Locale.ROOT, "waldump decode of %.1f MB (%d records): Strata %.1f MB/s, pg_waldump %.1f MB/s,"
                + " ratio %.2f (pg_waldump time / Strata time; above 1 means Strata is faster)%n", bytes / 1e6,
                records, strataMbS, pgMbS, ratio);
        if (out != null) {
            DurableFile.write(out, json + "\n");
            System.out.println("wrote " + out);
        }
    }

    /** The repetitions' times as a JSON array of milliseconds (the report's noise estimate reads them). */
    private static String millis(long[] nanos) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < nanos.length; i++) {
            b.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.1f", nanos[i] / 1e6));
        }
        return b.append(']').toString();
    }

    private static long median(long[] values) {
        long[] s = values.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}

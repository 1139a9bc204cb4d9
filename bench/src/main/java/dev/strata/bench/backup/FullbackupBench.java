package dev.strata.bench.backup;

import dev.strata.bench.report.DurableFile;
import dev.strata.it.TestPrimary;
import dev.strata.replication.ReplicationService;
import dev.strata.storage.pgdata.Datadir;
import dev.strata.storage.pgdata.DatadirView;
import dev.strata.storage.redo.JavaPageRedo;
import dev.strata.storage.tenant.LocalTenantManager;
import dev.strata.storage.timeline.EngineConfig;
import dev.strata.storage.timeline.Timeline;
import dev.strata.wire.backup.BackupOptions;
import dev.strata.wire.backup.BackupWriter;
import dev.strata.wire.backup.ClusterDirectoryView;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Time to produce a complete data directory: Strata's fullbackup against {@code pg_basebackup -c fast -X none -D}
 * from the primary, for the same pgbench database, measured in the same run.
 *
 * <p>Strata's side ({@code --source strata}, the default): the primary streams into a Strata timeline in this JVM
 * (base backup import of the empty cluster, then {@code pgbench -i} and a short {@code pgbench} run through WAL
 * ingest, so pages are rebuilt by the layer engine and Java redo); {@link BackupWriter} over {@link Datadir} at the
 * timeline's last record LSN (after a checkpoint and a compaction of the timeline, so that no background work of
 * the ingest overlaps the measurements, and three unmeasured warm-up passes into a null stream, reported together
 * as {@code strata_warmup_seconds}) streams the fullbackup tar into {@code tar -x} (reading 1 MiB records), and every
 * file is fsynced, as pg_basebackup does by default. {@code --source files} reads the stopped primary's own files instead
 * ({@link ClusterDirectoryView}): the writer's cost without the storage engine's. The two sides alternate,
 * {@code --reps} times each, and the medians are compared: {@code fullbackup_ratio_vs_pg_basebackup = strata /
 * pg_basebackup} (goal: at most 1.0). Generating the tar alone (into a null stream) is reported too, and so is
 * the CPU time of this JVM while it fed tar -x ({@code strata_jvm_cpu_seconds_median}; each repetition's line on
 * stderr also shows how much of it went to the JIT compiler and the garbage collector).
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.strata.bench.backup.FullbackupBench --out fullbackup.json
 *      [--scale 20] [--reps 5] [--source strata|files]
 * </pre>
 */
public final class FullbackupBench {
    /** Unmeasured passes before the first repetition (with one, the JIT still compiled during repetitions 1-3). */
    private static final int WARMUP_PASSES = 3;

    private FullbackupBench() {
    }

    public static void main(String[] args) throws Exception {
        Path out = null;
        int scale = 20;
        int reps = 5;
        String source = "strata";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--out" -> out = Paths.get(args[++i]);
                case "--scale" -> scale = Integer.parseInt(args[++i]);
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--source" -> source = args[++i];
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (expected --out FILE [--scale N] [--reps N] [--source strata|files])");
            }
        }
        if (out == null) {
            throw new IllegalArgumentException("--out FILE is required");
        }
        if (!source.equals("strata") && !source.equals("files")) {
            throw new IllegalArgumentException("--source is strata or files, not " + source);
        }
        String json = run(scale, reps, source.equals("strata"));
        DurableFile.write(out, json + "\n");
        System.out.println(json);
    }

    static String run(int scale, int reps, boolean strata) throws Exception {
        try (TestPrimary pg = TestPrimary.start()) {
            return strata ? runOnStrata(pg, scale, reps) : runOnFiles(pg, scale, reps);
        }
    }

    private static String runOnStrata(TestPrimary pg, int scale, int reps) throws Exception {
        Path dir = Files.createTempDirectory("strata-bench-");
        LocalTenantManager tenants = new LocalTenantManager(dir, new EngineConfig(), new JavaPageRedo());
        ReplicationService replication = new ReplicationService(tenants);
        try {
            Timeline tl = replication.createFromPrimary(null, null, pg.conninfo(), "strata_bench");
            long t0 = System.nanoTime();
            pg.pgbench("-i", "-q", "-s", Integer.toString(scale));
            pg.pgbench("-T", "10", "-c", "2");
            pg.sql("VACUUM ANALYZE", "CHECKPOINT");
            tl.waitForLsn(pg.currentFlushLsn(), Duration.ofMinutes(30));
            System.err.printf(Locale.ROOT, "pgbench -i -s %d and 10 s of pgbench ingested in %.1f s%n", scale,
                    Measurements.seconds(t0));
            // settle first, so that no flush or compaction of the ingest runs during the measurements
            tl.checkpoint();
            System.err.println("compaction: " + tl.compact());
            Measurements m = new Measurements(reps);
            Datadir view = new Datadir(tl);
            // unmeasured passes, as a running server's JIT would already have compiled the redo and read paths: one
            // pass left the compiler busy for seconds inside the first measured repetitions
            long w0 = System.nanoTime();
            for (int w = 0; w < WARMUP_PASSES; w++) {
                write(view, tl.lastRecordLsn(), tl.prevRecordLsn(), OutputStream.nullOutputStream());
            }
            m.warmup = Measurements.seconds(w0);
            for (int r = 0; r < reps; r++) {
                m.baseline[r] = pgBasebackup(pg, "pgbb-" + r);
                long lsn = tl.lastRecordLsn();
                long prev = tl.prevRecordLsn();
                m.measureStrata(r, pg.scratchDir("strata-" + r), out -> write(view, lsn, prev, out));
            }
            return m.json(scale, "Strata timeline fed by the primary (Datadir: layer engine and Java redo)");
        } finally {
            replication.close();
            tenants.close();
            TestPrimary.deleteTree(dir);
        }
    }

    private static String runOnFiles(TestPrimary pg, int scale, int reps) throws Exception {
        pg.pgbench("-i", "-q", "-s", Integer.toString(scale));
        pg.sql("VACUUM ANALYZE");
        Measurements m = new Measurements(reps);
        for (int r = 0; r < reps; r++) {
            pg.sql("CHECKPOINT");
            m.baseline[r] = pgBasebackup(pg, "pgbb-" + r);
            pg.stopServer("fast");
            try (ClusterDirectoryView view = ClusterDirectoryView.open(pg.dataDir())) {
                long lsn = view.checkpointLsn();
                m.measureStrata(r, pg.scratchDir("strata-" + r), out -> write(view, lsn, view.prevRecordLsn(lsn),
                        out));
            }
            pg.startAgain();
        }
        return m.json(scale, "files of the stopped primary (ClusterDirectoryView)");
    }

    private static double pgBasebackup(TestPrimary pg, String name) throws IOException {
        Path dir = pg.scratchDir(name).resolve("data");
        long t0 = System.nanoTime();
        pg.tool("pg_basebackup", "-h", "127.0.0.1", "-p", Integer.toString(pg.port()), "-U", "postgres",
                "-c", "fast", "-X", "none", "-D", dir.toString());
        double t = Measurements.seconds(t0);
        TestPrimary.deleteTree(dir.getParent());
        return t;
    }

    /** Writes the fullbackup; returns the tar's length. */
    private static long write(DatadirView view, long lsn, long prev, OutputStream out) throws IOException {
        BackupWriter w = new BackupWriter(view, lsn, prev, BackupOptions.fullbackup());
        CountingStream counted = new CountingStream(new BufferedOutputStream(out, 1 << 20));
        w.writeTo(counted);
        counted.flush();
        return counted.count;
    }

    /** Streams a tar into {@code tar -x -C dir}; returns the tar's length. */
    static long extract(Path dir, Measurements.TarSource source) throws Exception {
        // 1 MiB records read whole (-b 2048 -B): with its default 10 KiB reads, GNU tar's own read loop took a
        // third of the extraction's time, a cost of the consumer and not of the backup it consumes
        Process tar = new ProcessBuilder("tar", "-x", "-b", "2048", "-B", "-f", "-", "-C", dir.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        long n;
        try (OutputStream stdin = tar.getOutputStream()) {
            n = source.writeTo(stdin);
        }
        if (!tar.waitFor(10, TimeUnit.MINUTES) || tar.exitValue() != 0) {
            throw new IOException("tar -x of the fullbackup into " + dir + " failed");
        }
        return n;
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

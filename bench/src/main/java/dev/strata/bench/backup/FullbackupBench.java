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
import dev.strata.wire.PgServer;
import dev.strata.wire.PgServerConfig;
import dev.strata.wire.backup.BackupOptions;
import dev.strata.wire.backup.BackupWriter;
import dev.strata.wire.backup.ClusterDirectoryView;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Locale;

/**
 * Time to produce a complete data directory on disk: Strata's fullbackup against {@code pg_basebackup -c fast
 * -X none -D} from the primary, for the same pgbench database, measured in the same run.
 *
 * <p>The database ({@code --source strata}, the default): the primary streams into a Strata timeline in this JVM
 * (base backup import of the empty cluster, then {@code pgbench -i} and a short {@code pgbench} run through WAL
 * ingest, so every page was first built by the layer engine and Java redo). After a checkpoint and a compaction of
 * the timeline (so that no background work of the ingest overlaps the measurements; its image creation images the
 * partitions whose deltas hold at least half their image's bytes, which the bulk load's pages do, so the backups
 * read image layers, as they would from a settled server) and three unmeasured passes of
 * {@link BackupWriter} into a null stream ({@code strata_warmup_seconds}), a Strata {@link PgServer} is started on
 * the same tenant manager, and unmeasured rounds of {@code pg_basebackup -F t -D -} of it and of the writer into a
 * null stream run until a round compiles for less than 50 ms, at most 12 ({@code strata_base_backup_warmup_seconds},
 * {@code strata_base_backup_warmup_rounds}): a running server has compiled its backup paths, and a JIT compiler
 * still busy in the measured runs takes the cores the client needs. Each of {@code --reps} repetitions then
 * measures:
 *
 * <ol>
 *   <li>{@code pg_basebackup -c fast -X none -D DIR} from the primary: the baseline ({@code pg_basebackup_seconds}).
 *       </li>
 *   <li>The same command, the same binary, the same target file system, against Strata's BASE_BACKUP on the
 *       timeline ({@code PGOPTIONS='-c strata.tenant=.. -c strata.timeline=..'}): Strata's BASE_BACKUP sends the
 *       fullbackup tar (every fork, at the timeline's last record LSN), and pg_basebackup writes it and syncs the
 *       directory as it does for the primary ({@code strata_base_backup_seconds}; this JVM's CPU time meanwhile:
 *       {@code strata_base_backup_jvm_cpu_seconds_median}). Steps 1 and 2 swap their order every repetition.</li>
 *   <li>{@code pg_basebackup -F t -D -} from Strata, then from the primary, into a null stream: each server's
 *       stream without a directory to write ({@code strata_base_backup_to_null_seconds_median},
 *       {@code pg_basebackup_to_null_seconds_median}); the primary's is the floor the client itself sets.</li>
 *   <li>{@link BackupWriter} streaming the fullbackup tar straight into GNU {@code tar -x} (1 MiB records), then
 *       {@code initdb --sync-only} on the result, which runs the same fsync_pgdata as pg_basebackup
 *       ({@link TarExtractClient}; {@code tar_x_seconds}), and the same tar into a null stream
 *       ({@code strata_tar_to_null_seconds_median}).</li>
 * </ol>
 *
 * <p>The keyed figure, {@code fullbackup_ratio_vs_pg_basebackup} (goal: at most 1.0), is median(2) / median(1):
 * with the same client writing and syncing the directory on both sides, the two times differ only in the server
 * that produced the backup, which is what the goal compares. {@code strata_seconds} and its median are the
 * samples of that ratio's numerator. {@code fullbackup_tar_x_ratio_vs_pg_basebackup} is median(4) / median(1): the
 * same backup through a different client (GNU tar, then PostgreSQL's fsync_pgdata), reported so that the
 * consumer's share stays visible. {@code strata_dir_bytes} and {@code pg_basebackup_dir_bytes} are what each
 * backup wrote (Strata's holds the 16 MiB WAL segment of its synthetic checkpoint, without which it could not
 * start; the primary's under {@code -X none} holds no WAL). {@code --source files} reads the stopped primary's own
 * files ({@link ClusterDirectoryView}): only the tar -x figure is measured there (no server), so it is the one
 * keyed. The load averages before and after are in the JSON; the machine may be shared.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.strata.bench.backup.FullbackupBench --out fullbackup.json
 *      [--scale 20] [--reps 5] [--source strata|files]
 * </pre>
 */
public final class FullbackupBench {
    /** Unmeasured passes before the first repetition (with one, the JIT still compiled during repetitions 1-3). */
    private static final int WARMUP_PASSES = 3;
    /** At most this many warm-up rounds of pg_basebackup from Strata and the writer into a null stream. */
    private static final int MAX_WARMUP_ROUNDS = 12;
    /** A warm-up round that compiled for less than this (ms of compiler threads' time) ends the warm-up. */
    private static final long SETTLED_JIT_MILLIS = 50;

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
                writeAtEnd(view, tl, OutputStream.nullOutputStream());
            }
            m.warmup = Measurements.seconds(w0);
            try (PgServer server = PgServer.builder().tenants(tenants).datadirViews(Datadir::new)
                    .meterRegistry(new SimpleMeterRegistry())
                    .config(PgServerConfig.defaults().withListen("127.0.0.1", 0)).build().start()) {
                measureAlternating(pg, tl, view, server.port(), m);
            }
            return m.json(scale, "Strata timeline fed by the primary (Datadir: layer engine and Java redo)");
        } finally {
            replication.close();
            tenants.close();
            TestPrimary.deleteTree(dir);
        }
    }

    /**
     * Each repetition runs pg_basebackup from the primary and from Strata (their order alternating, so neither
     * always finds the page cache as the other left it), then Strata's fullbackup into tar -x.
     */
    private static void measureAlternating(TestPrimary pg, Timeline tl, Datadir view, int port, Measurements m)
            throws Exception {
        BasebackupClient client = new BasebackupClient(pg);
        String pgoptions = "-c strata.tenant=" + tl.tenantId() + " -c strata.timeline=" + tl.timelineId();
        // the BASE_BACKUP path (manifest, CopyData framing, Netty) has its own code to compile, and the writer's
        // code, shared by both paths, is compiled again once it has seen both kinds of stream: rounds of both run
        // until the JIT compiler is done (with three passes, it still compiled for up to a CPU second inside the
        // measured pg_basebackups, competing with the client for the cores)
        long w0 = System.nanoTime();
        for (int w = 0; w < MAX_WARMUP_ROUNDS; w++) {
            long jit0 = ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
            client.toNull(port, pgoptions);
            writeAtEnd(view, tl, OutputStream.nullOutputStream());
            m.basebackupWarmupRounds = w + 1;
            if (ManagementFactory.getCompilationMXBean().getTotalCompilationTime() - jit0 < SETTLED_JIT_MILLIS) {
                break;
            }
        }
        m.basebackupWarmup = Measurements.seconds(w0);
        for (int r = 0; r < m.baseline.length; r++) {
            Path primaryDir = pg.scratchDir("pgbb-" + r).resolve("data");
            Path strataDir = pg.scratchDir("strata-bb-" + r).resolve("data");
            int rep = r;
            Measurements.Timed fromStrata = () -> client.toDirectory(port, pgoptions, strataDir);
            if (r % 2 == 0) {
                m.baseline[r] = client.toDirectory(pg.port(), null, primaryDir);
                m.measureBasebackup(rep, fromStrata);
            } else {
                m.measureBasebackup(rep, fromStrata);
                m.baseline[r] = client.toDirectory(pg.port(), null, primaryDir);
            }
            m.primaryDirBytes = BasebackupClient.bytesUnder(primaryDir);
            m.strataDirBytes = BasebackupClient.bytesUnder(strataDir);
            TestPrimary.deleteTree(primaryDir.getParent());
            TestPrimary.deleteTree(strataDir.getParent());
            m.basebackupToNull[r] = client.toNull(port, pgoptions);
            m.baselineToNull[r] = client.toNull(pg.port(), null);
            long[] end = endOfTimeline(tl);
            long lsn = end[0];
            long prev = end[1];
            m.measureTarX(r, new TarExtractClient(pg), pg.scratchDir("strata-" + r), out -> write(view, lsn, prev, out));
        }
    }

    private static String runOnFiles(TestPrimary pg, int scale, int reps) throws Exception {
        pg.pgbench("-i", "-q", "-s", Integer.toString(scale));
        pg.sql("VACUUM ANALYZE");
        Measurements m = new Measurements(reps);
        BasebackupClient client = new BasebackupClient(pg);
        for (int r = 0; r < reps; r++) {
            pg.sql("CHECKPOINT");
            Path primaryDir = pg.scratchDir("pgbb-" + r).resolve("data");
            m.baseline[r] = client.toDirectory(pg.port(), null, primaryDir);
            m.primaryDirBytes = BasebackupClient.bytesUnder(primaryDir);
            TestPrimary.deleteTree(primaryDir.getParent());
            pg.stopServer("fast");
            try (ClusterDirectoryView view = ClusterDirectoryView.open(pg.dataDir())) {
                long lsn = view.checkpointLsn();
                m.measureTarX(r, new TarExtractClient(pg), pg.scratchDir("strata-" + r), out -> write(view, lsn, view.prevRecordLsn(lsn),
                        out));
            }
            pg.startAgain();
        }
        return m.json(scale, "files of the stopped primary (ClusterDirectoryView)");
    }

    /**
     * The timeline's last record LSN and the start of that record, read as one pair: ingest (of the checkpoints
     * the primary's pg_basebackup asks for) moves them on, prev first, so a pair read across a move has prev at
     * or after last and is read again.
     */
    private static long[] endOfTimeline(Timeline tl) {
        while (true) {
            long last = tl.lastRecordLsn();
            long prev = tl.prevRecordLsn();
            if (Long.compareUnsigned(prev, last) < 0) {
                return new long[]{last, prev};
            }
        }
    }

    private static void writeAtEnd(DatadirView view, Timeline tl, OutputStream out) throws IOException {
        long[] end = endOfTimeline(tl);
        write(view, end[0], end[1], out);
    }

    /** Writes the fullbackup; returns the tar's length. */
    private static long write(DatadirView view, long lsn, long prev, OutputStream out) throws IOException {
        BackupWriter w = new BackupWriter(view, lsn, prev, BackupOptions.fullbackup());
        CountingStream counted = new CountingStream(new BufferedOutputStream(out, 1 << 20));
        w.writeTo(counted);
        counted.flush();
        return counted.count;
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

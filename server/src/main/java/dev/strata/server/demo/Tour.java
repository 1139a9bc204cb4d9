package dev.strata.server.demo;

import dev.strata.server.StrataServer;
import dev.strata.server.admin.StrataAdmin;
import dev.strata.server.config.ServerConfig;
import dev.strata.server.config.Setting;
import dev.strata.server.config.Units;
import dev.strata.storage.pg.Lsn;
import dev.strata.storage.timeline.LayerInfo;
import dev.strata.storage.timeline.Timeline;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;

/**
 * The newcomer's tour: a scratch primary, Strata attached, pgbench with live progress, a page through the page
 * service, a branch at an earlier LSN, a point-in-time backup started with stock postgres, and one query that
 * answers differently then and now. Everything it starts is registered with {@link Cleanup} as it is started.
 */
public final class Tour {
    private static final int STEPS = 7;
    static final String COUNT_HISTORY = "SELECT count(*) FROM pgbench_history";
    static final String SUM_BALANCE = "SELECT sum(abalance) FROM pgbench_accounts";

    private final PgBinaries pg;
    private final TourOptions options;
    private final Narrator say;
    private final Cleanup cleanup;
    private Path root;
    private LocalPostgres primary;
    private StrataServer strata;
    private Timeline main;
    private long thenLsn;
    private String thenHistory;
    private String thenBalance;
    private Timeline branch;
    private LocalPostgres restored;

    public Tour(PgBinaries pg, TourOptions options, Narrator say, Cleanup cleanup) {
        this.pg = pg;
        this.options = options;
        this.say = say;
        this.cleanup = cleanup;
    }

    /** Runs every step; returns when the tour is over (the caller then waits for Ctrl-C or cleans up). */
    public void run() throws Exception {
        say.title("Strata demo: a PostgreSQL 15 primary streams its WAL into Strata, which can then serve any page "
                + "at any LSN.");
        startPrimary();
        attachStrata();
        runPgbench();
        new PageStep(say, primary, strata, main).run();
        makeBranch();
        timeTravel();
        thenAndNow();
        explore();
    }

    private void startPrimary() throws IOException, SQLException {
        say.step("A scratch PostgreSQL 15 primary");
        root = Files.createTempDirectory("strata-demo-");
        cleanup.deleteAtEnd(root);
        primary = LocalPostgres.initPrimary(pg, root);
        cleanup.add("stop the primary", primary);
        say.done("initdb, pg_ctl start: PostgreSQL 15 listening on 127.0.0.1:" + primary.port());
        pg.run(List.of(pg.tool("pgbench"), "-h", "127.0.0.1", "-p", Integer.toString(primary.port()), "-U",
                "postgres", "-i", "-s", Integer.toString(options.scale()), "-q", "postgres"), false, null);
        say.done(String.format(Locale.ROOT, "pgbench -i -s %d: %,d accounts in pgbench_accounts", options.scale(),
                options.scale() * 100_000));
    }

    private void attachStrata() throws Exception {
        say.step("Strata attached to the primary");
        Path dataDir = root.resolve("strata");
        ServerConfig config = ServerConfig.builder()
                .set(Setting.DATA_DIR, dataDir.toString(), "demo")
                .set(Setting.LISTEN_PG, "127.0.0.1:" + portOrFree(options.listenPg()), "demo")
                .set(Setting.LISTEN_HTTP, "127.0.0.1:" + portOrFree(options.listenHttp()), "demo")
                .set(Setting.PRIMARY, primary.conninfo(), "demo")
                .set(Setting.SLOT, "strata_demo", "demo")
                // Small layers and eager compaction so that a short run shows every kind of layer.
                .set(Setting.CHECKPOINT_DISTANCE, "4MB", "demo")
                .set(Setting.COMPACTION_THRESHOLD, "3", "demo")
                .set(Setting.COMPACTION_PERIOD, "2s", "demo")
                .set(Setting.GC_PERIOD, "0", "demo")
                .build();
        say.say("strata pageserver --data-dir " + dataDir + " --primary '" + primary.conninfo() + "'");
        strata = StrataServer.start(config);
        cleanup.add("stop Strata", strata);
        main = strata.defaultTimeline();
        say.done("imported the primary's base backup at " + Lsn.format(main.startLsn()) + "; streaming its WAL");
        say.say("tenant   " + main.tenantId());
        say.say("timeline " + main.timelineId());
        say.say("pg port 127.0.0.1:" + strata.pgPort() + ", HTTP API http://127.0.0.1:" + strata.httpPort());
        waitCaughtUp();
        thenLsn = main.lastRecordLsn();
        thenHistory = primary.query(COUNT_HISTORY);
        thenBalance = primary.query(SUM_BALANCE);
        say.say("Strata has every record up to " + Lsn.format(thenLsn) + "; remember this LSN as \"then\"");
    }

    private void runPgbench() throws Exception {
        say.step("pgbench runs " + options.seconds() + " s on the primary while Strata ingests its WAL");
        try (PgbenchRun bench = PgbenchRun.start(pg, primary.port(), options.clients(), options.seconds())) {
            cleanup.add("stop pgbench", bench);
            long started = System.nanoTime();
            int lastShown = -1;
            while (bench.running()) {
                Thread.sleep(250);
                int sec = (int) ((System.nanoTime() - started) / 1_000_000_000L);
                if (sec != lastShown && (say.terminal() || sec % 3 == 0)) {
                    lastShown = sec;
                    say.progress(progressLine(sec, bench.tps()));
                }
            }
            long tx = bench.await();
            say.endProgress();
            waitCaughtUp();
            say.done(String.format(Locale.ROOT, "pgbench ran %,d transactions; Strata caught up at %s", tx,
                    Lsn.format(main.lastRecordLsn())));
        }
        StrataAdmin admin = strata.admin();
        admin.run(main, "checkpoint");
        admin.run(main, "compact");
        say.say("after a checkpoint and a compaction: " + layerSummary(main.layers()));
    }

    private String progressLine(int sec, double tps) throws SQLException {
        long primaryLsn = Lsn.parse(primary.query("SELECT pg_current_wal_flush_lsn()"));
        long ingested = main.lastRecordLsn();
        long lag = Math.max(0, primaryLsn - ingested);
        return String.format(Locale.ROOT, "t=%2ds  ingested %-11s lag %9s   layers: %s   pgbench %5.0f tps", sec,
                Lsn.format(ingested), Units.formatSize(lag), layerSummary(main.layers()), tps);
    }

    static String layerSummary(List<LayerInfo> layers) {
        int[] n = new int[4];
        for (LayerInfo l : layers) {
            switch (l.kind()) {
                case "in-memory" -> n[0]++;
                case "delta-l0" -> n[1]++;
                case "delta-l1" -> n[2]++;
                case "image" -> n[3]++;
                default -> {
                }
            }
        }
        return String.format(Locale.ROOT, "%d in-memory, %d L0, %d L1, %d image", n[0], n[1], n[2], n[3]);
    }

    private void waitCaughtUp() throws SQLException, InterruptedException {
        awaitIngested(main, Lsn.parse(primary.query("SELECT pg_current_wal_flush_lsn()")));
    }

    /** Waits (two minutes at most) until {@code main} has ingested the primary's WAL up to {@code target}. */
    static void awaitIngested(Timeline main, long target) throws InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (Long.compareUnsigned(main.lastRecordLsn(), target) < 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Strata did not catch up with the primary (it is at "
                        + Lsn.format(main.lastRecordLsn()) + ", the primary at " + Lsn.format(target)
                        + "); see GET /v1/status for the ingest error");
            }
            Thread.sleep(50);
        }
    }

    private void makeBranch() {
        say.step("A branch at the earlier LSN");
        branch = strata.admin().branch(main.tenantId(), main.timelineId(), null, thenLsn);
        say.done("timeline branch " + main.tenantId() + " " + main.timelineId() + " at " + Lsn.format(thenLsn));
        say.say("new timeline " + branch.timelineId() + ": the database as it was before pgbench ran");
    }

    private void timeTravel() throws IOException {
        say.step("Time travel: a full backup of the branch, started with stock postgres");
        Path tar = root.resolve("then.tar");
        Path dir = root.resolve("then");
        Files.createDirectories(dir);
        String command = "fullbackup " + branch.tenantId() + " " + branch.timelineId() + " " + Lsn.format(thenLsn);
        pg.run(List.of(pg.tool("psql"), "-X", "-q", "-h", "127.0.0.1", "-p", Integer.toString(strata.pgPort()),
                "-U", "postgres", "-c", command), false, tar);
        pg.run(List.of("tar", "-xf", tar.toString(), "-C", dir.toString()), false, null);
        say.done(String.format(Locale.ROOT, "psql -c \"%s\" > then.tar (%s)", command,
                Units.formatSize(Files.size(tar))));
        restored = LocalPostgres.onDataDir(pg, dir, root);
        cleanup.add("stop the restored postgres", restored);
        say.done("postgres -D " + dir + " is up on 127.0.0.1:" + restored.port());
    }

    private void thenAndNow() throws SQLException {
        say.step("Then and now: the same queries, answered by the backup and by the primary");
        String thenH = restored.query(COUNT_HISTORY);
        String nowH = primary.query(COUNT_HISTORY);
        String thenB = restored.query(SUM_BALANCE);
        String nowB = primary.query(SUM_BALANCE);
        say.sayf("%-46s %14s %14s", "", "then (" + Lsn.format(thenLsn) + ")", "now");
        say.sayf("%-46s %14s %14s", COUNT_HISTORY, thenH, nowH);
        say.sayf("%-46s %14s %14s", SUM_BALANCE, thenB == null ? "0" : thenB, nowB);
        if (!thenH.equals(thenHistory) || !String.valueOf(thenB).equals(String.valueOf(thenBalance))) {
            say.say("warning: the backup does not match what the primary answered at " + Lsn.format(thenLsn)
                    + " (" + thenHistory + ", " + thenBalance + ")");
        } else {
            say.say("the backup answers exactly what the primary answered at " + Lsn.format(thenLsn));
        }
    }

    private void explore() {
        String t = main.tenantId();
        String psql = "psql -h 127.0.0.1 -p " + strata.pgPort() + " -U postgres";
        String http = "http://127.0.0.1:" + strata.httpPort() + "/v1/tenant/" + t + "/timeline/" + main.timelineId();
        say.blank();
        say.raw("Explore further:");
        say.raw("  " + psql + " -c 'tenant list'");
        say.raw("  " + psql + " -c 'timeline list " + t + "'");
        say.raw("  " + psql + " -c 'layers " + t + " " + main.timelineId() + "'");
        say.raw("  curl -s " + http);
        say.raw("  curl -s " + http + "/layers.svg > layers.svg");
        say.raw("  curl -s http://127.0.0.1:" + strata.httpPort() + "/metrics | grep '^strata_'");
        say.raw("  psql -h 127.0.0.1 -p " + primary.port() + " -U postgres      # the primary (now)");
        say.raw("  psql -h 127.0.0.1 -p " + restored.port() + " -U postgres      # stock postgres on the backup (then)");
    }

    /** Blocks until the process is asked to stop (Ctrl-C); the shutdown hook then runs the cleanup. */
    public static void awaitInterrupt(Narrator say) throws InterruptedException {
        say.blank();
        say.raw("Everything keeps running; press Ctrl-C to stop it all and remove the scratch files.");
        new CountDownLatch(1).await();
    }

    private static int portOrFree(int preferred) throws IOException {
        try (ServerSocket s = new ServerSocket(preferred, 1, InetAddress.getLoopbackAddress())) {
            return preferred;
        } catch (IOException taken) {
            return LocalPostgres.freePort();
        }
    }
}

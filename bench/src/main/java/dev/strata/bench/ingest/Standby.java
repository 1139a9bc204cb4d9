package dev.strata.bench.ingest;

import dev.strata.bench.report.ProcessCpu;
import dev.strata.it.TestPrimary;
import dev.strata.storage.pg.Lsn;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;

/**
 * A PostgreSQL 15 hot standby of a {@link TestPrimary}, made with {@code pg_basebackup -X stream -R -C -S} (so its
 * slot, named by the caller, holds the WAL while it is stopped), on a port of its own, run as the postgres OS user.
 *
 * <p>It runs with {@code fsync = on}, PostgreSQL's default, although the test primary it is copied from turns fsync
 * off: the benchmark compares it with Strata's ingest, which fsyncs every layer file it flushes and acknowledges only
 * what is durable, so the standby must make its WAL and pages durable as well (its walreceiver syncs the WAL it
 * writes, its restartpoints sync the pages).
 */
final class Standby {
    private final TestPrimary primary;
    private final Path dataDir;
    private final Path log;
    private final int port;

    private Standby(TestPrimary primary, Path dataDir, Path log, int port) {
        this.primary = primary;
        this.dataDir = dataDir;
        this.log = log;
        this.port = port;
    }

    static Standby create(TestPrimary pg, String slot) throws IOException {
        Path root = pg.scratchDir(slot);
        Path data = root.resolve("data");
        pg.toolAsOwner("pg_basebackup", "-h", pg.host(), "-p", Integer.toString(pg.port()), "-U", "postgres",
                "-D", data.toString(), "-X", "stream", "-R", "-C", "-S", slot, "--no-sync");
        int port = freePort();
        Files.writeString(data.resolve("postgresql.auto.conf"), "port = " + port + "\nhot_standby = on\nfsync = on\n",
                StandardOpenOption.APPEND);
        return new Standby(pg, data, root.resolve("standby.log"), port);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    void start() throws IOException {
        primary.run(List.of(primary.bindir().resolve("pg_ctl").toString(), "-D", dataDir.toString(), "-l",
                log.toString(), "-w", "-t", "300", "start"), true);
    }

    void stop() throws IOException {
        primary.run(List.of(primary.bindir().resolve("pg_ctl").toString(), "-D", dataDir.toString(), "-m", "fast",
                "-w", "stop"), true);
    }

    long replayLsn(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_last_wal_replay_lsn()")) {
            rs.next();
            String v = rs.getString(1);
            return v == null ? Lsn.INVALID : Lsn.parse(v);
        }
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres");
    }

    /** Starts, waits until it has replayed up to {@code lsn}, stops. */
    void catchUpAndStop(long lsn) throws Exception {
        start();
        try (Connection c = connect()) {
            while (replayLsn(c) < lsn) {
                Thread.sleep(50);
            }
        }
        stop();
    }

    private long postmasterPid() throws IOException {
        return Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
    }

    /**
     * Starts and times the replay from the first position seen up to {@code target}, with the CPU time the
     * standby's processes used meanwhile; stops afterwards.
     */
    IngestBench.Rate measureReplay(long target) throws Exception {
        start();
        try (Connection c = connect()) {
            long pid = postmasterPid();
            double cpu0 = ProcessCpu.serverSeconds(pid);
            long t0 = System.nanoTime();
            long from = replayLsn(c);
            while (replayLsn(c) < target) {
                Thread.sleep(20);
            }
            long nanos = System.nanoTime() - t0;
            double cpu = ProcessCpu.serverSeconds(pid) - cpu0;
            IngestBench.Rate r = new IngestBench.Rate(from, target, nanos, (long) (cpu * 1e9));
            System.out.printf(Locale.ROOT, "standby replay: %s to %s in %.2f s = %.1f MB/s, %.2f CPU s%n",
                    Lsn.format(from), Lsn.format(target), nanos / 1e9, r.mbPerSecond(), cpu);
            return r;
        } finally {
            stop();
        }
    }
}

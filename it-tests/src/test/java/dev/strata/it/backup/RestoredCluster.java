package dev.strata.it.backup;

import dev.strata.it.TestPrimary;
import dev.strata.storage.pg.Lsn;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * A stock PostgreSQL 15 server started from a backup tar: extracted with GNU tar as the postgres user into a
 * scratch directory of the primary, started with pg_ctl on its own port and socket directory.
 */
final class RestoredCluster implements AutoCloseable {
    private final TestPrimary owner;
    private final Path dataDir;
    private final Path log;
    private final int port;
    private boolean running;

    private RestoredCluster(TestPrimary owner, Path dataDir, Path log, int port) {
        this.owner = owner;
        this.dataDir = dataDir;
        this.log = log;
        this.port = port;
    }

    /** Extracts {@code tar} into {@code owner}'s scratch directory {@code name}/data (not started yet). */
    static RestoredCluster extract(TestPrimary owner, Path tar, String name) throws IOException {
        Path root = owner.scratchDir(name);
        Path data = root.resolve("data");
        owner.run(List.of("mkdir", "-m", "700", data.toString()), true);
        owner.run(List.of("tar", "-xf", tar.toString(), "-C", data.toString()), true);
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return new RestoredCluster(owner, data, root.resolve("postgres.log"), s.getLocalPort());
        }
    }

    Path dataDir() {
        return dataDir;
    }

    int port() {
        return port;
    }

    void start() throws IOException {
        try {
                owner.run(List.of(owner.bindir().resolve("pg_ctl").toString(), "-D", dataDir.toString(), "-l",
                    log.toString(), "-w", "-t", "120", "-o",
                    "-p " + port + " -k " + dataDir.getParent() + " -c listen_addresses=127.0.0.1", "start"), true);
        } catch (IOException e) {
            throw new IOException(e.getMessage() + "\n--- log of the restored server ---\n" + logText(), e);
        }
        running = true;
    }

    void stop() throws IOException {
        if (running) {
            owner.run(List.of(owner.bindir().resolve("pg_ctl").toString(), "-D", dataDir.toString(), "-m", "fast",
                    "-w", "stop"), true);
            running = false;
        }
    }

    String logText() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "";
        }
    }

    Connection connect(String db) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + db + "?user=postgres");
    }

    String query(String db, String sql) throws SQLException {
        try (Connection c = connect(db); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    List<String> column(String db, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = connect(db); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    void execute(String db, String... sql) throws SQLException {
        try (Connection c = connect(db); Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        }
    }

    /** Waits (up to 2 minutes) until this standby has replayed the primary's WAL up to {@code target}. */
    void awaitReplay(long target) throws InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        String replayed = null;
        while (System.nanoTime() < deadline) {
            try {
                replayed = query("postgres", "SELECT pg_last_wal_replay_lsn()");
                if (replayed != null && Long.compareUnsigned(Lsn.parse(replayed), target) >= 0) {
                    return;
                }
            } catch (SQLException notYetOpen) {
                // hot standby accepts connections once a running-xacts record (or a checkpoint) is replayed
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the standby replayed up to " + replayed + ", not " + Lsn.format(target) + "\n"
                + logText());
    }

    /** Runs a client tool (pg_dump, pg_amcheck...) against this server; returns its output. */
    String tool(String name, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(owner.bindir().resolve(name).toString(), "-h", "127.0.0.1",
                "-p", Integer.toString(port), "-U", "postgres"));
        cmd.addAll(List.of(args));
        return owner.run(cmd, false);
    }

    @Override
    public void close() {
        try {
            stop();
        } catch (IOException e) {
            try {
                owner.run(List.of(owner.bindir().resolve("pg_ctl").toString(), "-D", dataDir.toString(), "-m",
                        "immediate", "stop"), true);
            } catch (IOException ignored) {
                // the scratch directory goes with the primary's temp root
            }
        }
    }
}

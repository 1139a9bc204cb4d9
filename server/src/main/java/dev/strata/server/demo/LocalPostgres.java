package dev.strata.server.demo;

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
import java.util.List;

/**
 * A PostgreSQL 15 server the demo runs from the local binaries on 127.0.0.1: either a scratch primary made with
 * initdb ({@link #initPrimary}) or a stock server started on an existing data directory, such as a Strata backup
 * ({@link #onDataDir}). Its log is {@code postgres.log} next to the data directory.
 */
public final class LocalPostgres implements AutoCloseable {
    private final PgBinaries pg;
    private final Path dataDir;
    private final Path socketDir;
    private final int port;
    private boolean running;

    private LocalPostgres(PgBinaries pg, Path dataDir, Path socketDir, int port) {
        this.pg = pg;
        this.dataDir = dataDir;
        this.socketDir = socketDir;
        this.port = port;
    }

    /** initdb in {@code root/primary}, settings for streaming to Strata, started on a free port. */
    public static LocalPostgres initPrimary(PgBinaries pg, Path root) throws IOException {
        pg.chownToPostgres(root);
        Path data = root.resolve("primary");
        pg.run(List.of(pg.tool("initdb"), "-D", data.toString(), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                "--locale=C", "--no-sync"), true, null);
        int port = freePort();
        String conf = "\n# strata demo\nport = " + port + "\nlisten_addresses = '127.0.0.1'\n"
                + "unix_socket_directories = '" + root + "'\nwal_level = replica\nmax_wal_senders = 10\n"
                + "max_replication_slots = 10\nfsync = off\nsynchronous_commit = off\nshared_buffers = 64MB\n"
                + "max_wal_size = 1GB\nlog_min_messages = warning\n";
        Files.writeString(data.resolve("postgresql.conf"), Files.readString(data.resolve("postgresql.conf")) + conf);
        LocalPostgres p = new LocalPostgres(pg, data, root, port);
        p.start();
        return p;
    }

    /**
     * Starts a stock postgres on an existing data directory (made private to the postgres user first), on a free
     * port with its own socket directory.
     */
    public static LocalPostgres onDataDir(PgBinaries pg, Path dataDir, Path socketDir) throws IOException {
        pg.chownToPostgres(dataDir);
        pg.run(List.of("chmod", "0700", dataDir.toString()), true, null);
        pg.chownToPostgres(socketDir);
        LocalPostgres p = new LocalPostgres(pg, dataDir, socketDir, freePort());
        p.start();
        return p;
    }

    private void start() throws IOException {
        pg.run(List.of(pg.tool("pg_ctl"), "-D", dataDir.toString(), "-l", logFile().toString(), "-w", "-t", "120",
                "-o", "-p " + port + " -k " + socketDir + " -c listen_addresses=127.0.0.1", "start"), true, null);
        running = true;
    }

    public Path logFile() {
        return dataDir.resolveSibling(dataDir.getFileName() + "-postgres.log");
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    public String conninfo() {
        return "host=127.0.0.1 port=" + port + " user=postgres dbname=postgres";
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres");
    }

    /** The first column of the first row of a query, as text. */
    public String query(String sql) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    public void execute(String sql) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** Stops the server (fast shutdown); safe to call twice. */
    @Override
    public void close() throws IOException {
        if (running) {
            running = false;
            pg.run(List.of(pg.tool("pg_ctl"), "-D", dataDir.toString(), "-m", "fast", "-w", "stop"), true, null);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}

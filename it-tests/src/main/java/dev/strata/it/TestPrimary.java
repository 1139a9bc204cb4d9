package dev.strata.it;

import dev.strata.server.demo.PgBinaries;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL 15 primary for tests: its own temp directory, 127.0.0.1 and a free port, {@code wal_level=replica}
 * with WAL senders and slots, plus whatever settings a test asks for.
 *
 * <p>It runs from the local binaries ({@code pg_config --bindir}, else {@code /usr/lib/postgresql/15/bin}) as the
 * {@code postgres} OS user when the JVM runs as root, because PostgreSQL refuses to run as root. Tests read the data
 * directory and {@code pg_wal} directly (pg_waldump comparisons, page comparisons), which a container would hide,
 * so the local binaries are used whenever they exist; a Docker engine is only a fallback (see
 * {@link #dockerAnswers()}) and the tests that need the files skip with a message there.
 *
 * <pre>
 * try (TestPrimary pg = TestPrimary.builder().setting("wal_consistency_checking", "all").start()) {
 *     pg.sql("CREATE TABLE t(a int)");
 * }
 * </pre>
 */
public final class TestPrimary implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TestPrimary.class);

    private final Path bindir;
    private final Path root;
    private final Path dataDir;
    private final int port;
    private final boolean asPostgresUser;
    private final Map<String, String> settings;
    private volatile boolean running;
    private final Thread shutdownHook;

    private TestPrimary(Path bindir, Path root, int port, Map<String, String> settings) {
        this.bindir = bindir;
        this.root = root;
        this.dataDir = root.resolve("data");
        this.port = port;
        this.settings = settings;
        this.asPostgresUser = "root".equals(System.getProperty("user.name"));
        this.shutdownHook = new Thread(this::stopQuietly, "test-primary-stop");
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts a primary with the default settings. */
    public static TestPrimary start() throws IOException {
        return builder().start();
    }

    /** Settings and options for a new primary. */
    public static final class Builder {
        private final Map<String, String> settings = new LinkedHashMap<>();
        private final List<String> initdbArgs = new ArrayList<>();

        private Builder() {
        }

        /** A postgresql.conf setting, e.g. {@code setting("wal_compression", "lz4")}. */
        public Builder setting(String name, String value) {
            settings.put(name, value);
            return this;
        }

        /** Extra initdb arguments, e.g. {@code --wal-segsize=1}. */
        public Builder initdbArg(String arg) {
            initdbArgs.add(arg);
            return this;
        }

        public TestPrimary start() throws IOException {
            Path bindir = findBindir();
            Path root = Files.createTempDirectory("strata-pg-");
            Map<String, String> all = new LinkedHashMap<>();
            all.put("listen_addresses", "'127.0.0.1'");
            all.put("unix_socket_directories", "'" + root + "'");
            all.put("wal_level", "replica");
            all.put("max_wal_senders", "10");
            all.put("max_replication_slots", "10");
            all.put("max_prepared_transactions", "10");
            all.put("fsync", "off");
            all.put("synchronous_commit", "off");
            all.put("shared_buffers", "64MB");
            all.put("max_wal_size", "1GB");
            all.put("log_min_messages", "warning");
            for (Map.Entry<String, String> e : settings.entrySet()) {
                all.put(e.getKey(), quoteIfNeeded(e.getValue()));
            }
            TestPrimary pg = new TestPrimary(bindir, root, freePort(), all);
            try {
                pg.init(initdbArgs);
                pg.startServer();
            } catch (IOException | RuntimeException e) {
                pg.stopQuietly();
                throw e;
            }
            return pg;
        }
    }

    /**
     * The directory with initdb, pg_ctl, postgres, pg_waldump, pgbench...: the same search as the demo's
     * ({@link PgBinaries#find}); fails with an install hint.
     */
    public static Path findBindir() {
        return PgBinaries.find().bindir();
    }

    /** True when PostgreSQL 15 binaries are installed (tests may skip with {@link #installHint()} otherwise). */
    public static boolean available() {
        try {
            findBindir();
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    public static String installHint() {
        return PgBinaries.INSTALL_HINT;
    }

    /** Whether a Docker engine answers (Testcontainers' own probe); false on machines without one. */
    public static boolean dockerAnswers() {
        try {
            return org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable t) {
            return false;
        }
    }


    private void init(List<String> initdbArgs) throws IOException {
        if (asPostgresUser) {
            run(List.of("chown", "postgres:postgres", root.toString()), false);
        }
        List<String> cmd = new ArrayList<>(List.of(bindir.resolve("initdb").toString(), "-D", dataDir.toString(),
                "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"));
        cmd.addAll(initdbArgs);
        run(cmd, true);
        StringBuilder conf = new StringBuilder("\n# test settings\n");
        conf.append("port = ").append(port).append('\n');
        settings.forEach((k, v) -> conf.append(k).append(" = ").append(v).append('\n'));
        appendAsOwner(dataDir.resolve("postgresql.conf"), conf.toString());
    }

    private void startServer() throws IOException {
        run(List.of(bindir.resolve("pg_ctl").toString(), "-D", dataDir.toString(), "-l",
                root.resolve("postgres.log").toString(), "-w", "-t", "120", "start"), true);
        running = true;
        try {
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        } catch (IllegalArgumentException alreadyAdded) {
            // a restart keeps the hook registered by the first start
        }
        LOG.info("PostgreSQL 15 primary on 127.0.0.1:{} (data {})", port, dataDir);
    }

    /** Stops with mode fast and starts again on the same port and data directory. */
    public void restart() throws IOException {
        stopServer("fast");
        startServer();
    }

    /** Stops the server; {@code mode} is fast, smart or immediate (a crash). */
    public void stopServer(String mode) throws IOException {
        if (running) {
            run(List.of(bindir.resolve("pg_ctl").toString(), "-D", dataDir.toString(), "-m", mode, "-w", "stop"),
                    true);
            running = false;
        }
    }

    /** Starts a server stopped by {@link #stopServer(String)}. */
    public void startAgain() throws IOException {
        startServer();
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    public Path bindir() {
        return bindir;
    }

    public Path dataDir() {
        return dataDir;
    }

    public Path walDir() {
        return dataDir.resolve("pg_wal");
    }

    /** The server log (postgres.log). */
    public Path logFile() {
        return root.resolve("postgres.log");
    }

    /** A scratch directory inside this primary's temp root, owned by the postgres user when we run as root. */
    public Path scratchDir(String name) throws IOException {
        Path dir = Files.createDirectories(root.resolve(name));
        if (asPostgresUser) {
            run(List.of("chown", "postgres:postgres", dir.toString()), false);
        }
        return dir;
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=postgres";
    }

    public String jdbcUrl() {
        return jdbcUrl("postgres");
    }

    /** libpq connection string, as Strata's {@code --primary} takes it. */
    public String conninfo() {
        return "host=127.0.0.1 port=" + port + " user=postgres dbname=postgres";
    }

    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database));
    }

    public Connection connect() throws SQLException {
        return connect("postgres");
    }

    /** Runs statements (autocommit) in database postgres. */
    public void sql(String... statements) throws SQLException {
        sqlIn("postgres", statements);
    }

    /** Runs statements (autocommit) in the given database. */
    public void sqlIn(String database, String... statements) throws SQLException {
        try (Connection c = connect(database); Statement s = c.createStatement()) {
            for (String stmt : statements) {
                s.execute(stmt);
            }
        }
    }

    /** The first column of the first row of a query in database postgres, as text. */
    public String queryString(String query) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    /** {@code pg_current_wal_flush_lsn()} as a long. */
    public long currentFlushLsn() throws SQLException {
        return parseLsn(queryString("SELECT pg_current_wal_flush_lsn()"));
    }

    /** {@code pg_current_wal_insert_lsn()} as a long. */
    public long currentInsertLsn() throws SQLException {
        return parseLsn(queryString("SELECT pg_current_wal_insert_lsn()"));
    }

    private static long parseLsn(String text) {
        int slash = text.indexOf('/');
        return (Long.parseLong(text.substring(0, slash), 16) << 32) | Long.parseLong(text.substring(slash + 1), 16);
    }

    /**
     * Runs one of the primary's tools (pgbench, pg_waldump, pg_dump, psql...) from its bindir and returns stdout.
     * Fails with the tool's output when it exits non-zero.
     */
    public String tool(String name, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(bindir.resolve(name).toString());
        cmd.addAll(List.of(args));
        return run(cmd, false);
    }

    /** Like {@link #tool} but as the postgres OS user (for tools that must not run as root, e.g. postgres). */
    public String toolAsOwner(String name, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(bindir.resolve(name).toString());
        cmd.addAll(List.of(args));
        return run(cmd, true);
    }

    /** Runs pgbench against this primary: {@code pgbench("-i", "-s", "1")}. */
    public String pgbench(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("-h", "127.0.0.1", "-p", Integer.toString(port), "-U", "postgres"));
        cmd.addAll(List.of(args));
        cmd.add("postgres");
        return tool("pgbench", cmd.toArray(new String[0]));
    }

    /** Runs a command (as the postgres user when {@code asOwner} and we are root); returns stdout+stderr. */
    public String run(List<String> cmd, boolean asOwner) throws IOException {
        List<String> full = new ArrayList<>();
        if (asOwner && asPostgresUser) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(cmd);
        ProcessBuilder pb = new ProcessBuilder(full).redirectErrorStream(true);
        pb.environment().put("PGHOST", "127.0.0.1");
        pb.environment().put("PGPORT", Integer.toString(port));
        pb.environment().put("PGUSER", "postgres");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(30, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException("timed out: " + String.join(" ", full));
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", full), e);
        }
        if (p.exitValue() != 0) {
            throw new IOException("command failed with exit " + p.exitValue() + ": " + String.join(" ", full)
                    + "\n" + out + logTail());
        }
        return out;
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(logFile());
            return "\n--- postgres.log (tail) ---\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "";
        }
    }

    private void appendAsOwner(Path file, String text) throws IOException {
        Files.writeString(file, Files.readString(file) + text);
    }

    private static String quoteIfNeeded(String value) {
        if (value.startsWith("'") || value.matches("[A-Za-z0-9_.\\-]+")) {
            return value;
        }
        return "'" + value.replace("'", "''") + "'";
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    private void stopQuietly() {
        try {
            stopServer("immediate");
        } catch (IOException | RuntimeException e) {
            LOG.warn("stopping the test primary: {}", e.toString());
        }
    }

    /** Stops the server (fast) and removes its directory. */
    @Override
    public void close() {
        try {
            stopServer("fast");
        } catch (IOException e) {
            stopQuietly();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run
        }
        deleteTree(root);
    }

    /** Deletes a directory tree, ignoring files that vanish meanwhile. */
    public static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    LOG.debug("could not delete {}: {}", p, e.toString());
                }
            });
        } catch (IOException e) {
            LOG.warn("could not delete {}: {}", dir, e.toString());
        }
    }
}

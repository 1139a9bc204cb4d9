package dev.strata.bench.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.strata.it.TestPrimary;
import dev.strata.server.StrataServer;
import dev.strata.server.config.ServerConfig;
import dev.strata.server.config.Setting;
import dev.strata.storage.pg.Lsn;
import dev.strata.storage.timeline.Timeline;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Ingest rate and lag over time, live: one primary under pgbench, streaming at once to Strata (in this JVM, through
 * its slot) and to a PostgreSQL 15 hot standby (through another slot). Every half second it samples the primary's
 * flush LSN, Strata's last record LSN and the standby's replay LSN; rates are LSN deltas over time, lags are the
 * primary's flush LSN minus each follower's. The three share the machine, as they would in production.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.strata.bench.report.LiveLagProbe --out lag.json [--scale 5]
 *      [--seconds 30] [--clients 4]
 * </pre>
 *
 * JSON: {@code ingest_timeline} (array of {@code {t, strata_mb_s, standby_mb_s, strata_lag_mb, standby_lag_mb}}),
 * {@code strata_max_lag_mb}, {@code standby_max_lag_mb}, {@code live_lag_ratio_vs_standby} (max lag over max lag),
 * and the inputs. MB = 10^6 bytes.
 */
public final class LiveLagProbe {
    private static final double MB = 1e6;

    private LiveLagProbe() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        if (!a.containsKey("out")) {
            throw new IllegalArgumentException("usage: LiveLagProbe --out FILE [--scale N] [--seconds S] [--clients C]");
        }
        int scale = Integer.parseInt(a.getOrDefault("scale", "5"));
        int seconds = Integer.parseInt(a.getOrDefault("seconds", "30"));
        int clients = Integer.parseInt(a.getOrDefault("clients", "4"));
        Map<String, Object> result = run(scale, seconds, clients);
        String json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(result);
        DurableFile.write(Path.of(a.get("out")).toAbsolutePath(), json + "\n");
        System.out.println(json);
    }

    static Map<String, Object> run(int scale, int seconds, int clients) throws Exception {
        try (TestPrimary pg = TestPrimary.start()) {
            pg.pgbench("-i", "-q", "-s", Integer.toString(scale));
            Path strataDir = Files.createTempDirectory("strata-livelag-");
            try (StrataServer strata = StrataServer.start(ServerConfig.forTests(strataDir)
                    .set(Setting.PRIMARY, pg.conninfo(), "bench").set(Setting.SLOT, "livelag_strata", "bench")
                    .build());
                 Standby standby = Standby.start(pg)) {
                return sample(pg, strata.defaultTimeline(), standby, seconds, clients, scale);
            } finally {
                TestPrimary.deleteTree(strataDir);
            }
        }
    }

    private static Map<String, Object> sample(TestPrimary pg, Timeline tl, Standby standby, int seconds, int clients,
                                              int scale) throws Exception {
        Process bench = new ProcessBuilder(pg.bindir().resolve("pgbench").toString(), "-h", "127.0.0.1", "-p",
                Integer.toString(pg.port()), "-U", "postgres", "-c", Integer.toString(clients), "-j", "2", "-T",
                Integer.toString(seconds), "postgres").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        List<Map<String, Object>> points = new ArrayList<>();
        long t0 = System.nanoTime();
        long[] prev = null;
        double maxStrata = 0;
        double maxStandby = 0;
        try (Connection primary = DriverManager.getConnection(pg.jdbcUrl());
             Connection replica = standby.connect()) {
            while (true) {
                Thread.sleep(500);
                long now = System.nanoTime();
                long p = lsn(primary, "SELECT pg_current_wal_flush_lsn()");
                long s = tl.lastRecordLsn();
                long r = lsn(replica, "SELECT pg_last_wal_replay_lsn()");
                if (prev != null) {
                    double dt = (now - prev[0]) / 1e9;
                    Map<String, Object> pt = new LinkedHashMap<>();
                    pt.put("t", Math.round((now - t0) / 1e7) / 100.0);
                    pt.put("strata_mb_s", round((s - prev[1]) / MB / dt));
                    pt.put("standby_mb_s", round((r - prev[2]) / MB / dt));
                    pt.put("strata_lag_mb", round(Math.max(0, p - s) / MB));
                    pt.put("standby_lag_mb", round(Math.max(0, p - r) / MB));
                    maxStrata = Math.max(maxStrata, Math.max(0, p - s) / MB);
                    maxStandby = Math.max(maxStandby, Math.max(0, p - r) / MB);
                    points.add(pt);
                }
                prev = new long[]{now, s, r};
                boolean caughtUp = s >= p && r >= p;
                if (!bench.isAlive() && (caughtUp || now - t0 > (seconds + 60) * 1_000_000_000L)) {
                    break;
                }
            }
        }
        if (bench.waitFor() != 0) {
            throw new IOException("pgbench failed with exit " + bench.exitValue());
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("bench", "LiveLagProbe");
        m.put("strata_max_lag_mb", round(maxStrata));
        m.put("standby_max_lag_mb", round(maxStandby));
        m.put("live_lag_ratio_vs_standby", maxStandby == 0 ? null : round(maxStrata / maxStandby));
        m.put("pgbench_scale", scale);
        m.put("pgbench_seconds", seconds);
        m.put("pgbench_clients", clients);
        m.put("ingest_timeline", points);
        return m;
    }

    private static long lsn(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            String v = rs.getString(1);
            return v == null ? 0 : Lsn.parse(v);
        }
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    /**
     * A hot standby of the primary made with pg_basebackup -R through its own slot, on a free port, with fsync on
     * (the primary's copied configuration turns it off) since Strata beside it fsyncs what it flushes.
     */
    static final class Standby implements AutoCloseable {
        private final TestPrimary pg;
        private final Path data;
        private final int port;

        private Standby(TestPrimary pg, Path data, int port) {
            this.pg = pg;
            this.data = data;
            this.port = port;
        }

        static Standby start(TestPrimary pg) throws IOException {
            Path dir = pg.scratchDir("livelag-standby");
            Path data = dir.resolve("data");
            pg.toolAsOwner("pg_basebackup", "-h", "127.0.0.1", "-p", Integer.toString(pg.port()), "-U", "postgres",
                    "-D", data.toString(), "-R", "-X", "stream", "-C", "-S", "livelag_standby", "-c", "fast");
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            pg.toolAsOwner("pg_ctl", "-D", data.toString(), "-l", dir.resolve("standby.log").toString(), "-w", "-t",
                    "120", "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c hot_standby=on"
                    + " -c fsync=on",
                    "start");
            return new Standby(pg, data, port);
        }

        Connection connect() throws SQLException {
            return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres");
        }

        @Override
        public void close() throws IOException {
            pg.toolAsOwner("pg_ctl", "-D", data.toString(), "-m", "immediate", "-w", "stop");
        }
    }
}

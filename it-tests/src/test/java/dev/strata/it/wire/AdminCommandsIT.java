package dev.strata.it.wire;

import dev.strata.it.TestPrimary;
import dev.strata.storage.pg.Lsn;
import dev.strata.storage.pgdata.Datadir;
import dev.strata.wire.PgServer;
import dev.strata.wire.PgServerConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every admin command of DESIGN A.4 through stock psql (tables printed) and through pgjdbc. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AdminCommandsIT {
    @RegisterExtension
    static final PageServiceIT.ClusterExtension CLUSTER = new PageServiceIT.ClusterExtension();

    private static WireCluster c;
    private static PgServer server;
    private static int port;
    private static String tenant;
    private static String timeline;

    @BeforeAll
    static void setUp() throws Exception {
        c = CLUSTER.cluster();
        server = PgServer.builder().tenants(c.tenants).datadirViews(Datadir::new).backend(new ImportingBackend(
                c.primary)).meterRegistry(new SimpleMeterRegistry())
                .config(PgServerConfig.defaults().withListen("127.0.0.1", 0)).build().start();
        port = server.port();
    }

    @AfterAll
    static void tearDown() {
        if (server != null) {
            server.stop();
        }
    }

    /** The header line of psql's aligned output, split into column names. */
    private static List<String> header(String out) {
        String line = out.lines().findFirst().orElseThrow();
        List<String> cols = new ArrayList<>();
        for (String s : line.split("\\|")) {
            cols.add(s.strip());
        }
        return cols;
    }

    private static List<String> firstRow(String out) {
        String line = out.lines().skip(2).findFirst().orElseThrow();
        List<String> cells = new ArrayList<>();
        for (String s : line.split("\\|")) {
            cells.add(s.strip());
        }
        return cells;
    }

    @Test
    @Order(1)
    void psql_creates_and_lists_tenants() throws Exception {
        String out = Psql.ok(port, "tenant create");
        assertThat(header(out)).containsExactly("tenant_id");
        assertThat(out).contains("(1 row)");
        tenant = firstRow(out).get(0);
        assertThat(tenant).matches("[0-9a-f]{32}");
        out = Psql.ok(port, "TENANT LIST");
        assertThat(header(out)).containsExactly("tenant_id", "timelines", "physical_size");
        assertThat(out).contains(tenant).contains(c.tenantId);
    }

    @Test
    @Order(2)
    void psql_creates_a_timeline_from_the_primary_and_shows_it() throws Exception {
        String out = Psql.ok(port, "timeline create " + tenant + " primary '" + c.primary.conninfo() + "'");
        assertThat(header(out)).containsExactly("timeline_id", "start_lsn");
        timeline = firstRow(out).get(0);
        long start = Lsn.parse(firstRow(out).get(1));
        assertThat(start).isPositive();

        out = Psql.ok(port, "timeline list " + tenant);
        assertThat(header(out)).containsExactly("timeline_id", "ancestor_timeline_id", "ancestor_lsn",
                "last_record_lsn", "disk_consistent_lsn", "state");
        assertThat(firstRow(out).get(0)).isEqualTo(timeline);
        assertThat(firstRow(out).get(5)).isEqualTo("active");

        out = Psql.ok(port, "timeline detail " + tenant + " " + timeline);
        assertThat(header(out)).containsExactly("tenant_id", "timeline_id", "ancestor_timeline_id", "ancestor_lsn",
                "last_record_lsn", "prev_record_lsn", "disk_consistent_lsn", "remote_consistent_lsn",
                "gc_cutoff_lsn", "current_physical_size", "layer_count", "l0_count", "wal_source",
                "ingest_lag_bytes", "state");
        assertThat(firstRow(out).get(12)).isEqualTo(c.primary.conninfo());
    }

    @Test
    @Order(3)
    void psql_runs_branch_checkpoint_compact_gc_layers_and_lease() throws Exception {
        String last = Lsn.format(c.tenants.tenant(tenant).timeline(timeline).lastRecordLsn());
        String out = Psql.ok(port, "timeline branch " + tenant + " " + timeline + " at " + last);
        assertThat(header(out)).containsExactly("timeline_id", "ancestor_lsn");
        assertThat(firstRow(out).get(1)).isEqualTo(last);

        for (String action : List.of("checkpoint", "compact", "gc")) {
            out = Psql.ok(port, "timeline " + action + " " + tenant + " " + timeline);
            assertThat(header(out)).containsExactly("timeline_id", "action", "result");
            assertThat(firstRow(out).get(1)).isEqualTo(action);
        }
        out = Psql.ok(port, "layers " + tenant + " " + timeline);
        assertThat(header(out)).containsExactly("name", "kind", "key_start", "key_end", "lsn_start", "lsn_end",
                "size_bytes");
        assertThat(out).containsPattern("delta-l0|delta-l1|image|in-memory");

        out = Psql.ok(port, "lease lsn " + tenant + " " + timeline + " " + last);
        assertThat(header(out)).containsExactly("valid_until");
        assertThat(Long.parseLong(firstRow(out).get(0))).isGreaterThan(System.currentTimeMillis());

        assertThat(Psql.ok(port, "set statement_timeout = 0")).contains("SET");
        assertThat(Psql.ok(port, "show server_version")).contains("15.");
    }

    @Test
    @Order(4)
    void psql_shows_errors_with_sqlstate_message_and_hint() throws Exception {
        Psql.Result r = Psql.run(port, "strata", Map.of(), "-v", "VERBOSITY=verbose", "-c", "timeline list "
                + "0123456789abcdef0123456789abcdef");
        assertThat(r.exit()).isNotZero();
        assertThat(r.out()).contains("ERROR:  42704: tenant 0123456789abcdef0123456789abcdef does not exist")
                .contains("HINT:  'tenant list' shows the tenants");
        r = Psql.run(port, "strata", Map.of(), "-c", "vacuum full");
        assertThat(r.out()).contains("unknown command 'vacuum'").contains("Strata accepts");
        r = Psql.run(port, "strata", Map.of(), "-c", "timeline branch " + tenant + " " + timeline + " at 0/1");
        assertThat(r.out()).contains("cannot branch timeline");
    }

    @Test
    @Order(5)
    void pgjdbc_runs_the_admin_commands_with_server_prepared_statements() throws Exception {
        Properties p = new Properties();
        p.setProperty("user", "strata");
        p.setProperty("prepareThreshold", "2");
        try (Connection conn = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", p);
             Statement st = conn.createStatement()) {
            for (int round = 0; round < 4; round++) {
                try (ResultSet rs = st.executeQuery("tenant list")) {
                    ResultSetMetaData md = rs.getMetaData();
                    assertThat(md.getColumnName(1)).isEqualTo("tenant_id");
                    assertThat(md.getColumnName(3)).isEqualTo("physical_size");
                    List<String> ids = new ArrayList<>();
                    while (rs.next()) {
                        ids.add(rs.getString(1));
                        assertThat(rs.getInt(2)).isGreaterThanOrEqualTo(0);
                        assertThat(rs.getLong(3)).isGreaterThanOrEqualTo(0);
                    }
                    assertThat(ids).contains(tenant);
                }
            }
            try (var ps = conn.prepareStatement("timeline detail " + tenant + " " + timeline)) {
                for (int round = 0; round < 4; round++) {
                    try (ResultSet rs = ps.executeQuery()) {
                        assertThat(rs.next()).isTrue();
                        assertThat(rs.getString("timeline_id")).isEqualTo(timeline);
                        assertThat(rs.getLong("current_physical_size")).isGreaterThanOrEqualTo(0);
                        assertThat(rs.getInt("layer_count")).isGreaterThanOrEqualTo(0);
                    }
                }
            }
            try (ResultSet rs = st.executeQuery("timeline list " + tenant)) {
                int n = 0;
                while (rs.next()) {
                    n++;
                }
                assertThat(n).isEqualTo(2);
            }
            st.execute("set application_name = 'x'");
            try (ResultSet rs = st.executeQuery("layers " + tenant + " " + timeline)) {
                assertThat(rs.getMetaData().getColumnCount()).isEqualTo(7);
            }
            assertThatThrownBy(() -> st.executeQuery("timeline list nothex")).isInstanceOf(SQLException.class)
                    .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("22023");
            try (ResultSet rs = st.executeQuery("tenant list")) {
                assertThat(rs.next()).isTrue();
            }
        }
    }

    @Test
    @Order(6)
    void pgjdbc_in_simple_query_mode_works_too() throws Exception {
        Properties p = new Properties();
        p.setProperty("user", "strata");
        p.setProperty("preferQueryMode", "simple");
        try (Connection conn = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", p);
             Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("timeline list " + tenant)) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(6)).isEqualTo("active");
        }
    }
}

package dev.strata.it.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.it.TestPrimary;
import dev.strata.server.StrataServer;
import dev.strata.server.config.ServerConfig;
import dev.strata.server.config.Setting;
import dev.strata.storage.pg.Lsn;
import dev.strata.storage.pg.RelTag;
import dev.strata.storage.redo.Masks;
import dev.strata.storage.timeline.Timeline;
import dev.strata.wire.client.PageStreamClient;
import dev.strata.wire.client.PgWireClient;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A whole server attached to a real PostgreSQL 15 primary with {@code --primary}: the first start imports and
 * streams, pages read through HTTP and the page service equal the primary's own, the metrics move, a timeline can
 * be added from the primary over HTTP, and a restart resumes the default timeline.
 */
class StrataServerWithPrimaryTest {
    private static final int RM_HEAP_ID = 10;

    @TempDir
    Path dir;

    private static ServerConfig config(Path data, TestPrimary pg) {
        return ServerConfig.forTests(data).set(Setting.PRIMARY, pg.conninfo(), "test")
                .set(Setting.SLOT, "strata_server_it", "test").set(Setting.CHECKPOINT_DISTANCE, "2MB", "test")
                .set(Setting.COMPACTION_THRESHOLD, "3", "test").build();
    }

    private static void awaitCaughtUp(Timeline tl, TestPrimary pg) throws Exception {
        long target = pg.currentFlushLsn();
        long deadline = System.currentTimeMillis() + 120_000;
        while (Long.compareUnsigned(tl.lastRecordLsn(), target) < 0) {
            assertThat(System.currentTimeMillis()).as("Strata at %s, primary at %s", Lsn.format(tl.lastRecordLsn()),
                    Lsn.format(target)).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    /** Block {@code blkno} of the relation's main fork as the primary wrote it to disk (after a CHECKPOINT). */
    private static byte[] primaryBlock(TestPrimary pg, String table, int blkno) throws Exception {
        String path = pg.queryString("SELECT pg_relation_filepath('" + table + "')");
        byte[] page = new byte[8192];
        try (RandomAccessFile f = new RandomAccessFile(pg.dataDir().resolve(path).toFile(), "r")) {
            f.seek((long) blkno * 8192);
            f.readFully(page);
        }
        return page;
    }

    private static byte[] masked(byte[] page, int blkno) {
        byte[] copy = page.clone();
        Masks.mask(RM_HEAP_ID, copy, blkno);
        return copy;
    }

    @Test
    void importsStreamsServesPagesAndResumesAfterARestart() throws Exception {
        Assumptions.assumeTrue(TestPrimary.available(), TestPrimary.installHint());
        try (TestPrimary pg = TestPrimary.start()) {
            pg.pgbench("-i", "-s", "1", "-q");
            Path data = dir.resolve("strata");
            String tenantId;
            String timelineId;
            try (StrataServer server = StrataServer.start(config(data, pg))) {
                Timeline tl = server.defaultTimeline();
                assertThat(tl).isNotNull();
                tenantId = tl.tenantId();
                timelineId = tl.timelineId();
                pg.pgbench("-c", "2", "-T", "4");
                pg.sql("CHECKPOINT");
                awaitCaughtUp(tl, pg);
                checkPagesAgree(server, pg, tl);
                checkDetailAndMetrics(server, tl);
                checkAdminCommandOnThePgPort(server, tenantId);
            }
            pg.sql("CREATE TABLE after_restart AS SELECT g FROM generate_series(1, 1000) g");
            try (StrataServer again = StrataServer.start(config(data, pg))) {
                Timeline tl = again.defaultTimeline();
                assertThat(tl.tenantId()).isEqualTo(tenantId);
                assertThat(tl.timelineId()).isEqualTo(timelineId);
                assertThat(again.tenantManager().tenants()).hasSize(1);
                awaitCaughtUp(tl, pg);
                JsonNode status = new Http(again.httpPort()).get("/v1/status").json();
                assertThat(status.get("default_timeline_id").asText()).isEqualTo(timelineId);
                assertThat(status.get("status").asText()).isEqualTo("ok");
            }
        }
    }

    private static void checkPagesAgree(StrataServer server, TestPrimary pg, Timeline tl) throws Exception {
        int db = Integer.parseInt(pg.queryString("SELECT oid FROM pg_database WHERE datname = 'postgres'"));
        int rel = Integer.parseInt(pg.queryString("SELECT pg_relation_filenode('pgbench_branches')"));
        byte[] primary = primaryBlock(pg, "pgbench_branches", 0);
        Http.Reply viaHttp = new Http(server.httpPort()).get("/v1/tenant/" + tl.tenantId() + "/timeline/"
                + tl.timelineId() + "/getpage?rel=1663/" + db + "/" + rel + "&block=0");
        assertThat(viaHttp.status()).isEqualTo(200);
        assertThat(masked(viaHttp.body(), 0)).isEqualTo(masked(primary, 0));
        try (PgWireClient conn = PgWireClient.connect("127.0.0.1", server.pgPort())) {
            PageStreamClient stream = conn.pageStream(2, tl.tenantId(), tl.timelineId());
            stream.getPage(0, Lsn.MAX, 0, new RelTag(1663, db, rel, 0), 0);
            stream.flush();
            PageStreamClient.Response r = stream.read();
            assertThat(r.isError()).as(r.error()).isFalse();
            assertThat(r.data()).isEqualTo(viaHttp.body());
            stream.end();
        }
    }

    private static void checkDetailAndMetrics(StrataServer server, Timeline tl) throws IOException,
            InterruptedException {
        Http http = new Http(server.httpPort());
        JsonNode d = http.get("/v1/tenant/" + tl.tenantId() + "/timeline/" + tl.timelineId()).json();
        assertThat(d.get("wal_source").asText()).contains("127.0.0.1").doesNotContain("password");
        assertThat(d.get("ingest_lag_bytes").isNumber() || d.get("ingest_lag_bytes").isNull()).isTrue();
        assertThat(d.get("last_record_lsn").asText()).isEqualTo(Lsn.format(tl.lastRecordLsn()));
        String metrics = http.get("/metrics").text();
        double walBytes = sample(metrics, "strata_ingest_wal_bytes_total{", tl.timelineId());
        assertThat(walBytes).isPositive();
        assertThat(sample(metrics, "strata_ingest_records_total{", tl.timelineId())).isPositive();
        assertThat(metrics).contains("strata_pageservice_getpage_seconds").contains("strata_pageservice_requests_total")
                .contains("strata_pageservice_wait_lsn_seconds").contains("strata_wal_redo_seconds_count");
    }

    private static double sample(String metrics, String prefix, String timelineId) {
        for (String line : metrics.split("\n")) {
            if (line.startsWith(prefix) && line.contains(timelineId)) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError("no " + prefix + "...} sample for timeline " + timelineId + " in:\n" + metrics);
    }

    private static void checkAdminCommandOnThePgPort(StrataServer server, String tenantId) throws IOException {
        try (PgWireClient conn = PgWireClient.connect("127.0.0.1", server.pgPort())) {
            List<PgWireClient.Result> results = conn.query("tenant list");
            assertThat(results.get(0).rows()).anySatisfy(row -> assertThat(row.get(0)).isEqualTo(tenantId));
        }
    }

    @Test
    void aSecondTimelineIsCreatedFromThePrimaryOverHttp() throws Exception {
        Assumptions.assumeTrue(TestPrimary.available(), TestPrimary.installHint());
        try (TestPrimary pg = TestPrimary.start();
             StrataServer server = StrataServer.start(ServerConfig.forTests(dir.resolve("s")).build())) {
            Http http = new Http(server.httpPort());
            String tenant = http.post("/v1/tenant", "{}").json().get("tenant_id").asText();
            Http.Reply created = http.post("/v1/tenant/" + tenant + "/timeline", "{\"primary_conninfo\": \""
                    + pg.conninfo() + "\", \"slot\": \"second_slot\"}");
            assertThat(created.status()).as(created.text()).isEqualTo(201);
            String tl = created.json().get("timeline_id").asText();
            pg.sql("CREATE TABLE t AS SELECT 1 AS a");
            awaitCaughtUp(server.tenantManager().tenant(tenant).timeline(tl), pg);
            assertThat(pg.queryString("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'second_slot'"))
                    .isEqualTo("1");
            Http.Reply unreachable = http.post("/v1/tenant/" + tenant + "/timeline",
                    "{\"primary_conninfo\": \"host=127.0.0.1 port=1 user=postgres\"}");
            assertThat(unreachable.status()).isEqualTo(502);
            assertThat(unreachable.message()).contains("127.0.0.1");
        }
    }
}

package dev.strata.it.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.server.StrataServer;
import dev.strata.server.config.ServerConfig;
import dev.strata.server.config.Setting;
import dev.strata.storage.pg.Lsn;
import dev.strata.storage.timeline.Tenant;
import dev.strata.storage.timeline.Timeline;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The HTTP API of a whole in-process server without a primary: timelines are filled through the engine's write
 * path, and everything else goes through HTTP.
 */
class HttpApiTest {
    @TempDir
    static Path dir;
    static StrataServer server;
    static Http http;

    @BeforeAll
    static void start() throws Exception {
        server = StrataServer.start(ServerConfig.forTests(dir.resolve("data"))
                .set(Setting.WAIT_LSN_TIMEOUT, "1s", "test").set(Setting.GC_PERIOD, "0", "test")
                .set(Setting.COMPACTION_PERIOD, "0", "test").build());
        http = new Http(server.httpPort());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static String newTenant() throws Exception {
        Http.Reply r = http.post("/v1/tenant", "{}");
        assertThat(r.status()).isEqualTo(201);
        return r.json().get("tenant_id").asText();
    }

    /** A root timeline with block 0 written twice: fill 1 at the returned LSN [0], fill 2 at [1]. */
    private static long[] timelineWithHistory(String tenantId, Timeline[] out) {
        Tenant t = server.tenantManager().tenant(tenantId);
        Timeline tl = t.createTimeline(null, 0x1000000L);
        TimelineData data = new TimelineData(tl);
        long first = data.writePage(0, 1);
        data.writePage(1, 7);
        long second = data.writePage(0, 2);
        out[0] = tl;
        return new long[]{first, second};
    }

    @Test
    void statusDescribesTheServer() throws Exception {
        Http.Reply r = http.get("/v1/status");
        assertThat(r.status()).isEqualTo(200);
        JsonNode s = r.json();
        assertThat(s.get("status").asText()).isEqualTo("ok");
        assertThat(s.get("listen_http").asText()).endsWith(":" + server.httpPort());
        assertThat(s.get("auth").asText()).isEqualTo("trust");
        assertThat(s.get("problems").isArray()).isTrue();
    }

    @Test
    void tenantsAreCreatedListedAndNotCreatedTwice() throws Exception {
        String id = "0123456789abcdef0123456789abcdef";
        assertThat(http.post("/v1/tenant", "{\"new_tenant_id\": \"" + id + "\"}").status()).isEqualTo(201);
        Http.Reply again = http.post("/v1/tenant", "{\"new_tenant_id\": \"" + id + "\"}");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.message()).contains("already exists");
        List<String> ids = new ArrayList<>();
        http.get("/v1/tenant").json().forEach(n -> ids.add(n.get("tenant_id").asText()));
        assertThat(ids).contains(id);
        assertThat(http.get("/v1/tenant/" + id).json().get("timelines").size()).isZero();
        Http.Reply bad = http.post("/v1/tenant", "{\"new_tenant_id\": \"XYZ\"}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.message()).contains("32 lowercase hex digits");
        assertThat(http.post("/v1/tenant", "{not json").status()).isEqualTo(400);
    }

    @Test
    void unknownThingsAreNotFoundWithAHint() throws Exception {
        Http.Reply r = http.get("/v1/tenant/00000000000000000000000000000000/timeline");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.message()).contains("no tenant").contains("GET /v1/tenant");
        String t = newTenant();
        Http.Reply tl = http.get("/v1/tenant/" + t + "/timeline/00000000000000000000000000000000");
        assertThat(tl.status()).isEqualTo(404);
        assertThat(tl.message()).contains("has no timeline");
        assertThat(http.get("/v2/nothing").status()).isEqualTo(404);
        assertThat(http.put("/v1/tenant").status()).isEqualTo(405);
    }

    @Test
    void creatingATimelineNeedsAnAncestorOrAPrimary() throws Exception {
        String t = newTenant();
        Http.Reply r = http.post("/v1/tenant/" + t + "/timeline", "{}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.message()).contains("ancestor_timeline_id").contains("primary_conninfo");
    }

    @Test
    void timelineDetailHasExactlyTheFieldsOfTheDesign() throws Exception {
        String t = newTenant();
        Timeline[] tl = new Timeline[1];
        long[] lsns = timelineWithHistory(t, tl);
        JsonNode d = http.get("/v1/tenant/" + t + "/timeline/" + tl[0].timelineId()).json();
        List<String> fields = new ArrayList<>();
        d.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("tenant_id", "timeline_id", "ancestor_timeline_id", "ancestor_lsn",
                "last_record_lsn", "prev_record_lsn", "disk_consistent_lsn", "remote_consistent_lsn", "gc_cutoff_lsn",
                "current_physical_size", "layer_count", "l0_count", "wal_source", "ingest_lag_bytes", "state");
        assertThat(d.get("last_record_lsn").asText()).isEqualTo(Lsn.format(lsns[1]));
        assertThat(d.get("ancestor_timeline_id").isNull()).isTrue();
        assertThat(d.get("state").asText()).isEqualToIgnoringCase("active");
        List<String> listed = new ArrayList<>();
        http.get("/v1/tenant/" + t + "/timeline").json().forEach(n -> listed.add(n.get("timeline_id").asText()));
        assertThat(listed).containsExactly(tl[0].timelineId());
    }

    @Test
    void aBranchAtAnEarlierLsnServesTheOlderPage() throws Exception {
        String t = newTenant();
        Timeline[] tl = new Timeline[1];
        long[] lsns = timelineWithHistory(t, tl);
        String base = "/v1/tenant/" + t + "/timeline/";
        Http.Reply created = http.post(base.substring(0, base.length() - 1), "{\"ancestor_timeline_id\": \""
                + tl[0].timelineId() + "\", \"ancestor_start_lsn\": \"" + Lsn.format(lsns[0]) + "\"}");
        assertThat(created.status()).isEqualTo(201);
        JsonNode b = created.json();
        assertThat(b.get("ancestor_timeline_id").asText()).isEqualTo(tl[0].timelineId());
        assertThat(b.get("ancestor_lsn").asText()).isEqualTo(Lsn.format(lsns[0]));
        String branchId = b.get("timeline_id").asText();
        String q = "/getpage?rel=1663/5/16384&block=0";
        assertThat(http.get(base + branchId + q).body()).isEqualTo(TimelineData.page(1));
        Http.Reply now = http.get(base + tl[0].timelineId() + q);
        assertThat(now.contentType()).isEqualTo("application/octet-stream");
        assertThat(now.body()).isEqualTo(TimelineData.page(2));
        assertThat(http.get(base + tl[0].timelineId() + q + "&lsn=" + Lsn.format(lsns[0])).body())
                .isEqualTo(TimelineData.page(1));
        Http.Reply ahead = http.post(base.substring(0, base.length() - 1), "{\"ancestor_timeline_id\": \""
                + tl[0].timelineId() + "\", \"ancestor_start_lsn\": \"FF/0\"}");
        assertThat(ahead.status()).isEqualTo(400);
        assertThat(ahead.message()).contains("has only reached");
    }

    @Test
    void pageReadsFailClearly() throws Exception {
        String t = newTenant();
        Timeline[] tl = new Timeline[1];
        timelineWithHistory(t, tl);
        String p = "/v1/tenant/" + t + "/timeline/" + tl[0].timelineId() + "/getpage";
        Http.Reply past = http.get(p + "?rel=1663/5/16384&block=9");
        assertThat(past.status()).isEqualTo(404);
        assertThat(past.message()).contains("has 2 blocks").contains("block 9 is past its end");
        Http.Reply norel = http.get(p + "?rel=1663/5/99999&block=0");
        assertThat(norel.status()).isEqualTo(404);
        assertThat(norel.message()).contains("does not exist");
        Http.Reply missing = http.get(p + "?block=0");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.message()).contains("'rel' is required");
        Http.Reply badLsn = http.get(p + "?rel=1663/5/16384&block=0&lsn=yesterday");
        assertThat(badLsn.status()).isEqualTo(400);
        assertThat(badLsn.message()).contains("not an LSN");
        Http.Reply future = http.get(p + "?rel=1663/5/16384&block=0&lsn=FF/0");
        assertThat(future.status()).isEqualTo(503);
        assertThat(future.message()).contains("has not been ingested");
        assertThat(http.get(p + "?rel=1663/5/16384&block=0&fork=spoon").status()).isEqualTo(400);
    }

    @Test
    void checkpointCompactAndGcRunOnRequestAndShowInLayers() throws Exception {
        String t = newTenant();
        Timeline[] tl = new Timeline[1];
        timelineWithHistory(t, tl);
        String base = "/v1/tenant/" + t + "/timeline/" + tl[0].timelineId();
        Http.Reply cp = http.put(base + "/checkpoint");
        assertThat(cp.status()).isEqualTo(200);
        assertThat(cp.json().get("operation").asText()).isEqualTo("checkpoint");
        assertThat(cp.json().get("disk_consistent_lsn").asText()).isEqualTo(Lsn.format(tl[0].lastRecordLsn()));
        assertThat(http.put(base + "/compact").status()).isEqualTo(200);
        assertThat(http.put(base + "/do_gc").status()).isEqualTo(200);
        JsonNode layers = http.get(base + "/layer").json().get("layers");
        assertThat(layers.size()).isPositive();
        for (Iterator<JsonNode> it = layers.elements(); it.hasNext(); ) {
            JsonNode l = it.next();
            assertThat(l.get("kind").asText()).isIn("delta-l0", "delta-l1", "image", "in-memory");
            assertThat(l.get("key_start").asText()).hasSize(36);
            Lsn.parse(l.get("lsn_start").asText());
        }
    }

    @Test
    void layersSvgIsWellFormedAndMarksBranchPoints() throws Exception {
        String t = newTenant();
        Timeline[] tl = new Timeline[1];
        long[] lsns = timelineWithHistory(t, tl);
        server.tenantManager().tenant(t).branch(tl[0].timelineId(), null, lsns[0]);
        String base = "/v1/tenant/" + t + "/timeline/" + tl[0].timelineId();
        http.put(base + "/checkpoint");
        Http.Reply r = http.get(base + "/layers.svg");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentType()).isEqualTo("image/svg+xml");
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        Document doc = f.newDocumentBuilder().parse(new ByteArrayInputStream(r.body()));
        assertThat(doc.getDocumentElement().getLocalName()).isEqualTo("svg");
        assertThat(r.text()).contains("branch ").contains(" at " + Lsn.format(lsns[0])).contains("class=\"layer ");
    }

    @Test
    void metricsAreValidPrometheusTextWithTimelineFigures() throws Exception {
        String t = newTenant();
        Timeline[] tl = new Timeline[1];
        timelineWithHistory(t, tl);
        http.put("/v1/tenant/" + t + "/timeline/" + tl[0].timelineId() + "/checkpoint");
        Http.Reply r = http.get("/metrics");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentType()).startsWith("text/plain");
        Pattern sample = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\]|\\\\.)*\""
                + ",?)*})? [-+]?([0-9.]+([eE][-+]?[0-9]+)?|NaN|[-+]?Inf)( [0-9]+)?");
        double lastLsn = -1;
        for (String line : r.text().split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            assertThat(sample.matcher(line).matches()).as(line).isTrue();
            if (line.startsWith("strata_last_record_lsn{") && line.contains(tl[0].timelineId())) {
                lastLsn = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        assertThat(lastLsn).isEqualTo((double) tl[0].lastRecordLsn());
        assertThat(r.text()).contains("strata_layer_count{").contains("kind=\"delta-l0\"")
                .contains("strata_storage_operation_seconds_count{operation=\"checkpoint\"")
                .contains("strata_flush_seconds_count{").contains("strata_wal_redo_seconds");
    }
}

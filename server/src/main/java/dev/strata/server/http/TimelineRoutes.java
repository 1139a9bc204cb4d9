package dev.strata.server.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.server.admin.Ids;
import dev.strata.server.admin.OperationResult;
import dev.strata.server.admin.StrataAdmin;
import dev.strata.server.svg.LayerMapSvg;
import dev.strata.storage.pg.Lsn;
import dev.strata.storage.pg.RelTag;
import dev.strata.storage.timeline.LayerInfo;
import dev.strata.storage.timeline.Timeline;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The timeline endpoints of the HTTP API (DESIGN A.6), under {@code /v1/tenant/{t}/timeline}:
 *
 * <pre>
 * GET  .../timeline                  [TimelineInfo]
 * POST .../timeline                  create: {"new_timeline_id"?, "ancestor_timeline_id", "ancestor_start_lsn"?}
 *                                    branches; {"new_timeline_id"?, "primary_conninfo", "slot"?} imports a primary
 *                                    and streams from it; 201 with the new TimelineInfo
 * GET  .../timeline/{tl}             TimelineInfo (the fields of A.6)
 * PUT  .../timeline/{tl}/checkpoint  freeze and flush the in-memory layer
 * PUT  .../timeline/{tl}/compact     L0 -> L1 compaction and image layers
 * PUT  .../timeline/{tl}/do_gc       garbage collection
 * GET  .../timeline/{tl}/layer       {tenant_id, timeline_id, layers: [{name, kind, key_start, key_end, lsn_start,
 *                                    lsn_end, size_bytes}]}
 * GET  .../timeline/{tl}/layers.svg  the layer map drawn
 * GET  .../timeline/{tl}/getpage?rel=spc/db/rel&amp;fork=main&amp;block=N&amp;lsn=X/Y   8192 bytes (lsn: default latest)
 * </pre>
 */
public final class TimelineRoutes {
    private static final String TL = "/v1/tenant/{tenant_id}/timeline/{timeline_id}";
    private static final String BRANCH_EXAMPLE = "{\"ancestor_timeline_id\": \"<32 hex digits>\", "
            + "\"ancestor_start_lsn\": \"0/16B3748\"} or {\"primary_conninfo\": \"host=127.0.0.1 port=5432 "
            + "user=postgres\"}";

    private TimelineRoutes() {
    }

    static void register(Router r, StrataAdmin admin) {
        r.add("GET", "/v1/tenant/{tenant_id}/timeline", req -> Json.response(200,
                admin.tenant(req.pathParam("tenant_id")).timelines().stream().map(admin::info).toList()));
        r.add("POST", "/v1/tenant/{tenant_id}/timeline", req -> create(admin, req));
        r.add("GET", TL, req -> Json.response(200, admin.info(timeline(admin, req))));
        r.add("PUT", TL + "/checkpoint", req -> operation(admin, req, "checkpoint"));
        r.add("PUT", TL + "/compact", req -> operation(admin, req, "compact"));
        r.add("PUT", TL + "/do_gc", req -> operation(admin, req, "gc"));
        r.add("GET", TL + "/layer", req -> layers(timeline(admin, req)));
        r.add("GET", TL + "/layers.svg", req -> ApiResponse.text(200, ApiResponse.SVG, svg(admin,
                timeline(admin, req))));
        r.add("GET", TL + "/getpage", req -> getPage(admin, req));
    }

    private static Timeline timeline(StrataAdmin admin, ApiRequest req) {
        return admin.timeline(req.pathParam("tenant_id"), req.pathParam("timeline_id"));
    }

    private static ApiResponse create(StrataAdmin admin, ApiRequest req) {
        String tenantId = req.pathParam("tenant_id");
        ObjectNode body = Json.body(req, BRANCH_EXAMPLE);
        String newId = Json.text(body, "new_timeline_id");
        String ancestor = Json.text(body, "ancestor_timeline_id");
        String primary = Json.text(body, "primary_conninfo");
        if ((ancestor == null) == (primary == null)) {
            throw ApiException.badRequest("give either ancestor_timeline_id (to branch) or primary_conninfo (to "
                    + "import a primary), e.g. " + BRANCH_EXAMPLE);
        }
        Timeline created;
        if (ancestor != null) {
            String lsn = Json.text(body, "ancestor_start_lsn");
            created = admin.branch(tenantId, Ids.check(ancestor, "ancestor timeline"), newId,
                    lsn == null ? null : Lsn.parse(lsn));
        } else {
            created = admin.createFromPrimary(tenantId, newId, primary, Json.text(body, "slot"));
        }
        return Json.response(201, admin.info(created));
    }

    private static ApiResponse operation(StrataAdmin admin, ApiRequest req, String op) {
        OperationResult result = admin.run(timeline(admin, req), op);
        return Json.response(200, result);
    }

    private static ApiResponse layers(Timeline tl) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (LayerInfo l : tl.layers()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", l.name());
            m.put("kind", l.kind());
            m.put("key_start", l.keyStart().toString());
            m.put("key_end", l.keyEnd().toString());
            m.put("lsn_start", Lsn.format(l.lsnStart()));
            m.put("lsn_end", Lsn.format(l.lsnEnd()));
            m.put("size_bytes", l.sizeBytes());
            rows.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("tenant_id", tl.tenantId());
        out.put("timeline_id", tl.timelineId());
        out.put("layers", rows);
        return Json.response(200, out);
    }

    static String svg(StrataAdmin admin, Timeline tl) {
        List<LayerMapSvg.Mark> marks = new ArrayList<>();
        if (Long.compareUnsigned(tl.gcCutoffLsn(), 0) > 0) {
            marks.add(new LayerMapSvg.Mark("GC cutoff " + Lsn.format(tl.gcCutoffLsn()), tl.gcCutoffLsn(), "#d62728",
                    false));
        }
        for (Timeline child : admin.children(tl)) {
            marks.add(new LayerMapSvg.Mark("branch " + Ids.shortId(child.timelineId()) + " at "
                    + Lsn.format(child.ancestorLsn()), child.ancestorLsn(), "#222", true));
        }
        String title = "tenant " + Ids.shortId(tl.tenantId()) + " timeline " + Ids.shortId(tl.timelineId())
                + (tl.ancestorTimelineId() == null ? "" : " (branched from " + Ids.shortId(tl.ancestorTimelineId())
                + " at " + Lsn.format(tl.ancestorLsn()) + ")");
        return LayerMapSvg.render(new LayerMapSvg.Input(title, tl.layers(), tl.lastRecordLsn(), marks));
    }

    private static ApiResponse getPage(StrataAdmin admin, ApiRequest req) throws InterruptedException {
        Timeline tl = timeline(admin, req);
        String forkText = req.queryParam("fork");
        int fork = forkText == null ? RelTag.MAIN_FORKNUM : RelTag.parseFork(forkText);
        RelTag rel = RelTag.parse(req.requiredQueryParam("rel", "1663/5/1259"), fork);
        String blockText = req.requiredQueryParam("block", "0");
        int block;
        try {
            block = Integer.parseUnsignedInt(blockText);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("block must be a block number 0..4294967294, got '" + blockText + "'");
        }
        String lsnText = req.queryParam("lsn");
        long lsn = lsnText == null || lsnText.equalsIgnoreCase("latest") ? Lsn.MAX : Lsn.parse(lsnText);
        long at = admin.readLsn(tl, lsn);
        byte[] page = admin.page(tl, rel, block, at);
        return ApiResponse.of(200, ApiResponse.OCTETS, page).withHeader("X-Strata-Lsn", Lsn.format(at));
    }
}

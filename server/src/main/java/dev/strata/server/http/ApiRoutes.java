package dev.strata.server.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.server.admin.StrataAdmin;
import dev.strata.server.metrics.StrataMetrics;
import dev.strata.storage.timeline.Tenant;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The server-wide and tenant endpoints of the HTTP API (DESIGN A.6); the timeline endpoints are in
 * {@link TimelineRoutes}.
 *
 * <pre>
 * GET  /v1/status              server summary (open even with auth on)
 * GET  /metrics                Prometheus text (open even with auth on)
 * GET  /v1/tenant              [{tenant_id, timelines, current_physical_size}]
 * POST /v1/tenant              body {} or {"new_tenant_id": "..."} -> 201 {"tenant_id": "..."}
 * GET  /v1/tenant/{t}          {tenant_id, timelines: [ids], current_physical_size}
 * </pre>
 */
public final class ApiRoutes {
    private ApiRoutes() {
    }

    /** Every route of the API. */
    public static Router build(StrataAdmin admin, StrataMetrics metrics, Supplier<Map<String, Object>> status) {
        Router r = new Router();
        r.addOpen("GET", "/v1/status", req -> Json.response(200, status.get()));
        r.addOpen("GET", "/metrics", req -> ApiResponse.text(200, ApiResponse.PROMETHEUS, metrics.scrape()));
        r.add("GET", "/v1/tenant", req -> Json.response(200, listTenants(admin)));
        r.add("POST", "/v1/tenant", req -> createTenant(admin, req));
        r.add("GET", "/v1/tenant/{tenant_id}", req -> Json.response(200,
                tenantDetail(admin.tenant(req.pathParam("tenant_id")))));
        TimelineRoutes.register(r, admin);
        return r;
    }

    private static List<Map<String, Object>> listTenants(StrataAdmin admin) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Tenant t : admin.tenants()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("tenant_id", t.tenantId());
            m.put("timelines", t.timelines().size());
            m.put("current_physical_size", t.physicalSize());
            out.add(m);
        }
        return out;
    }

    private static Map<String, Object> tenantDetail(Tenant t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tenant_id", t.tenantId());
        m.put("timelines", t.timelines().stream().map(tl -> tl.timelineId()).toList());
        m.put("current_physical_size", t.physicalSize());
        return m;
    }

    private static ApiResponse createTenant(StrataAdmin admin, ApiRequest req) {
        ObjectNode body = Json.body(req, "{\"new_tenant_id\": \"0123456789abcdef0123456789abcdef\"} or {}");
        String id = Json.text(body, "new_tenant_id");
        if (id == null) {
            id = Json.text(body, "tenant_id");
        }
        Tenant t = admin.createTenant(id);
        return Json.response(201, Map.of("tenant_id", t.tenantId()));
    }
}

package dev.strata.server;

import dev.strata.server.admin.Conninfo;
import dev.strata.replication.IngestStatus;
import dev.strata.server.admin.StrataAdmin;
import dev.strata.server.config.ServerConfig;
import dev.strata.server.http.ApiDispatcher;
import dev.strata.server.http.ApiRoutes;
import dev.strata.server.http.HttpApiServer;
import dev.strata.server.metrics.StrataMetrics;
import dev.strata.storage.timeline.Tenant;
import dev.strata.storage.timeline.TenantManager;
import dev.strata.storage.timeline.Timeline;
import dev.strata.storage.timeline.TimelineState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A whole Strata server, in-process: the layer engine over the data directory, WAL ingest, the pg port and the HTTP
 * API, wired together. {@code strata pageserver}, the demo and the tests start it the same way:
 *
 * <pre>
 * try (StrataServer s = StrataServer.start(ServerConfig.forTests(dir).build())) {
 *     int pg = s.pgPort();  int http = s.httpPort();
 * }
 * </pre>
 *
 * <p>Start order: lock the data directory, open the engine (which loads every tenant and timeline), start ingest,
 * listen on both ports, then either create the default timeline from {@code --primary} (first start; returns once
 * the base backup is imported and streaming has begun) or resume every timeline's stream. {@link #close()} undoes
 * it in reverse: stop listening, stop ingest (confirming what is durable to the primaries), flush and close the
 * engine, release the lock.
 */
public final class StrataServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StrataServer.class);
    public static final String VERSION = "0.1.0";

    private final ServerConfig config;
    private final Instant startedAt = Instant.now();
    private final StrataMetrics metrics = new StrataMetrics();
    private DataDirLock lock;
    private ServerParts parts;
    private volatile StrataAdmin admin;
    private HttpApiServer http;
    private volatile ServerState state = ServerState.EMPTY;
    private boolean closed;

    private StrataServer(ServerConfig config) {
        this.config = config;
    }

    /**
     * Starts a server; on failure everything already started is stopped again and the exception says what failed.
     */
    public static StrataServer start(ServerConfig config) throws IOException {
        StrataServer s = new StrataServer(config);
        try {
            s.open();
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    private void open() throws IOException {
        lock = DataDirLock.acquire(config.dataDir());
        state = ServerState.load(config.dataDir());
        parts = ServerParts.open(config, metrics, this::defaultTimeline);
        metrics.bind(parts.tenants(), parts.replication());
        admin = new StrataAdmin(parts.tenants(), parts.replication(), parts.backend(), parts.datadirs(), metrics,
                config.waitLsnTimeout(), config.slot());
        http = HttpApiServer.start(config.listenHttp(), new ApiDispatcher(ApiRoutes.build(admin, metrics,
                this::status), parts.httpAuth()));
        parts.startPg(config);
        LOG.info("listening: pg port {}:{}, HTTP http://{}:{}/v1/status (data directory {})",
                config.listenPg().host(), pgPort(), config.listenHttp().host(), httpPort(),
                config.dataDir().toAbsolutePath());
        if (state.hasDefault() || config.primary() == null) {
            warnIfPrimaryDiffers();
            parts.replication().resumeAll();
        } else {
            createDefaultTimeline();
        }
    }

    private void createDefaultTimeline() throws IOException {
        // The tenant is remembered before the import so that a failed first start is retried into the same tenant.
        Tenant tenant = state.defaultTenantId() != null ? admin.tenant(state.defaultTenantId())
                : parts.tenants().createTenant(null);
        state = new ServerState(tenant.tenantId(), null, Conninfo.redact(config.primary()));
        state.save(config.dataDir());
        LOG.info("first start with --primary: created tenant {}; importing {} through slot '{}'", tenant.tenantId(),
                Conninfo.redact(config.primary()), config.slot());
        Timeline tl = parts.replication().createFromPrimary(tenant.tenantId(), null, config.primary(), config.slot());
        state = new ServerState(tenant.tenantId(), tl.timelineId(), Conninfo.redact(config.primary()));
        state.save(config.dataDir());
        LOG.info("default timeline {}/{} imported; streaming from {}", tenant.tenantId(), tl.timelineId(),
                state.primary());
    }

    private void warnIfPrimaryDiffers() {
        if (config.primary() != null && state.primary() != null
                && !state.primary().equals(Conninfo.redact(config.primary()))) {
            LOG.warn("--primary '{}' differs from the primary of the default timeline ('{}'): a timeline keeps the "
                    + "WAL source it was created with; to import another primary, create a timeline with "
                    + "POST /v1/tenant/<t>/timeline {{\"primary_conninfo\": ...}}",
                    Conninfo.redact(config.primary()), state.primary());
        }
    }

    /** The default timeline (created by the first start with --primary), or null. */
    public Timeline defaultTimeline() {
        ServerState s = state;
        StrataAdmin a = admin;
        return s.hasDefault() && a != null ? a.timeline(s.defaultTenantId(), s.defaultTimelineId()) : null;
    }

    /** The summary of {@code GET /v1/status}. */
    Map<String, Object> status() {
        List<String> problems = new ArrayList<>();
        int timelines = 0;
        List<Tenant> tenants = parts.tenants().tenants();
        for (Tenant t : tenants) {
            for (Timeline tl : t.timelines()) {
                timelines++;
                if (tl.state() == TimelineState.BROKEN) {
                    problems.add("timeline " + t.tenantId() + "/" + tl.timelineId() + " is broken: "
                            + tl.brokenReason());
                }
                IngestStatus in = parts.replication().status(t.tenantId(), tl.timelineId());
                if (in != null && in.lastError() != null) {
                    problems.add("ingest of " + t.tenantId() + "/" + tl.timelineId() + ": " + in.lastError());
                }
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", problems.isEmpty() ? "ok" : "degraded");
        m.put("version", VERSION);
        m.put("started_at", startedAt.toString());
        m.put("uptime_seconds", (System.currentTimeMillis() - startedAt.toEpochMilli()) / 1000);
        m.put("data_dir", config.dataDir().toAbsolutePath().toString());
        m.put("listen_pg", config.listenPg().host() + ":" + pgPort());
        m.put("listen_http", config.listenHttp().host() + ":" + httpPort());
        m.put("auth", config.auth().word());
        m.put("default_tenant_id", state.defaultTenantId());
        m.put("default_timeline_id", state.defaultTimelineId());
        m.put("tenants", tenants.size());
        m.put("timelines", timelines);
        m.put("problems", problems);
        return m;
    }

    public ServerConfig config() {
        return config;
    }

    /** The bound pg port (the real one when the configured port was 0). */
    public int pgPort() {
        return parts.pgPort();
    }

    /** The bound HTTP port. */
    public int httpPort() {
        return http.port();
    }

    public TenantManager tenantManager() {
        return parts.tenants();
    }

    public StrataAdmin admin() {
        return admin;
    }

    public StrataMetrics metrics() {
        return metrics;
    }

    /** Stops everything that was started, in reverse order; safe to call twice. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        LOG.info("shutting down");
        closeQuietly("HTTP API", http);
        if (parts != null) {
            parts.close();
        }
        closeQuietly("data directory lock", lock);
        LOG.info("shut down cleanly");
    }

    static void closeQuietly(String what, AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            LOG.warn("closing the {} failed: {}", what, e.toString(), e);
        }
    }
}

package dev.strata.wire.pagestream;

import dev.strata.storage.pgdata.DatadirView;
import dev.strata.storage.timeline.Tenant;
import dev.strata.storage.timeline.TenantManager;
import dev.strata.storage.timeline.Timeline;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * The server-wide parts of the page service that every page-stream session shares: where timelines and their
 * data-directory views come from, the read pool, the LSN waiters, the limits and the meters.
 */
public final class PageService {
    private final TenantManager tenants;
    private final Function<Timeline, DatadirView> views;
    private final ConcurrentHashMap<Timeline, DatadirView> viewCache = new ConcurrentHashMap<>();
    private final Executor readPool;
    private final LsnWaiters waiters;
    private final PageServiceMetrics metrics;
    private final Duration waitLsnTimeout;
    private final int maxInFlight;
    private final int maxQueued;
    private final boolean inlineReads;

    public PageService(TenantManager tenants, Function<Timeline, DatadirView> views, Executor readPool,
                       LsnWaiters waiters, PageServiceMetrics metrics, Duration waitLsnTimeout, int maxInFlight,
                       int maxQueued, boolean inlineReads) {
        this.tenants = tenants;
        this.views = views;
        this.readPool = readPool;
        this.waiters = waiters;
        this.metrics = metrics;
        this.waitLsnTimeout = waitLsnTimeout;
        this.maxInFlight = maxInFlight;
        this.maxQueued = maxQueued;
        this.inlineReads = inlineReads;
    }

    /** The timeline, or null when the tenant or timeline does not exist (ids are lowercase hex). */
    public Timeline findTimeline(String tenantId, String timelineId) {
        Tenant tenant = findTenant(tenantId);
        if (tenant == null) {
            return null;
        }
        for (Timeline tl : tenant.timelines()) {
            if (tl.timelineId().equals(timelineId)) {
                return tl;
            }
        }
        return null;
    }

    public Tenant findTenant(String tenantId) {
        for (Tenant t : tenants.tenants()) {
            if (t.tenantId().equals(tenantId)) {
                return t;
            }
        }
        return null;
    }

    /** The data-directory view of a timeline, made once per timeline object and reused. */
    public DatadirView view(Timeline timeline) {
        return viewCache.computeIfAbsent(timeline, views);
    }

    public TenantManager tenants() {
        return tenants;
    }

    public Executor readPool() {
        return readPool;
    }

    public LsnWaiters waiters() {
        return waiters;
    }

    public PageServiceMetrics metrics() {
        return metrics;
    }

    public Duration waitLsnTimeout() {
        return waitLsnTimeout;
    }

    public int maxInFlight() {
        return maxInFlight;
    }

    public int maxQueued() {
        return maxQueued;
    }

    public boolean inlineReads() {
        return inlineReads;
    }
}

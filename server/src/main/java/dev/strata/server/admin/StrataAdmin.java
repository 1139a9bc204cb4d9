package dev.strata.server.admin;

import dev.strata.replication.IngestStatus;
import dev.strata.replication.ReplicationService;
import dev.strata.server.metrics.StrataMetrics;
import dev.strata.storage.pg.Lsn;
import dev.strata.storage.pg.RelTag;
import dev.strata.storage.pgdata.DatadirView;
import dev.strata.storage.timeline.LayerInfo;
import dev.strata.storage.timeline.Tenant;
import dev.strata.storage.timeline.TenantManager;
import dev.strata.storage.timeline.Timeline;
import dev.strata.wire.ServerBackend;
import dev.strata.wire.admin.TimelineDetail;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The server's management operations, shared by the HTTP API and the pg port's admin commands: look-ups that fail
 * with "no such ..." messages, timeline creation and branching, the timeline summary of DESIGN A.6, on-demand
 * checkpoint / compaction / GC (timed into the metrics), and single page reads.
 */
public final class StrataAdmin {
    private final TenantManager tenants;
    private final ReplicationService replication;
    private final ServerBackend backend;
    private final Function<Timeline, DatadirView> datadirs;
    private final StrataMetrics metrics;
    private final Duration waitLsnTimeout;
    private final String defaultSlot;

    public StrataAdmin(TenantManager tenants, ReplicationService replication, ServerBackend backend,
                       Function<Timeline, DatadirView> datadirs, StrataMetrics metrics, Duration waitLsnTimeout,
                       String defaultSlot) {
        this.tenants = tenants;
        this.replication = replication;
        this.backend = backend;
        this.datadirs = datadirs;
        this.metrics = metrics;
        this.waitLsnTimeout = waitLsnTimeout;
        this.defaultSlot = defaultSlot;
    }

    public List<Tenant> tenants() {
        return tenants.tenants();
    }

    /** @throws NotFoundException naming the id when there is no such tenant */
    public Tenant tenant(String tenantId) {
        Ids.check(tenantId, "tenant");
        for (Tenant t : tenants.tenants()) {
            if (t.tenantId().equals(tenantId)) {
                return t;
            }
        }
        throw new NotFoundException("no tenant " + tenantId + " on this server (GET /v1/tenant lists them; POST "
                + "/v1/tenant creates one)");
    }

    /** @throws NotFoundException naming the ids when there is no such tenant or timeline */
    public Timeline timeline(String tenantId, String timelineId) {
        Tenant t = tenant(tenantId);
        Ids.check(timelineId, "timeline");
        for (Timeline tl : t.timelines()) {
            if (tl.timelineId().equals(timelineId)) {
                return tl;
            }
        }
        throw new NotFoundException("tenant " + tenantId + " has no timeline " + timelineId + " (GET /v1/tenant/"
                + tenantId + "/timeline lists them)");
    }

    /** @param tenantId null for a new random id; @throws ConflictException when it exists */
    public Tenant createTenant(String tenantId) {
        if (tenantId != null) {
            Ids.check(tenantId, "tenant");
            if (tenants.tenants().stream().anyMatch(t -> t.tenantId().equals(tenantId))) {
                throw new ConflictException("tenant " + tenantId + " already exists");
            }
        }
        return tenants.createTenant(tenantId);
    }

    /** Imports a primary into a new timeline of an existing tenant and starts streaming. */
    public Timeline createFromPrimary(String tenantId, String timelineId, String conninfo, String slot) {
        tenant(tenantId);
        checkNewTimeline(tenantId, timelineId);
        return replication.createFromPrimary(tenantId, timelineId, conninfo, slot == null ? defaultSlot : slot);
    }

    /**
     * Branches {@code parentId} at {@code lsn} (null: the parent's last record LSN).
     *
     * @throws IllegalArgumentException when the LSN is outside the parent's readable range (the engine refuses an LSN
     *                                  below the GC cutoff that no branch point or lease retains)
     */
    public Timeline branch(String tenantId, String parentId, String newId, Long lsn) {
        Timeline parent = timeline(tenantId, parentId);
        checkNewTimeline(tenantId, newId);
        if (lsn != null) {
            if (Long.compareUnsigned(lsn, parent.lastRecordLsn()) > 0) {
                throw new IllegalArgumentException("cannot branch at " + Lsn.format(lsn) + ": timeline " + parentId
                        + " has only reached " + Lsn.format(parent.lastRecordLsn()) + " (choose an LSN at or below "
                        + "it, or leave it out to branch at the latest)");
            }
            if (Long.compareUnsigned(lsn, parent.startLsn()) < 0) {
                throw new IllegalArgumentException("cannot branch at " + Lsn.format(lsn) + ": timeline " + parentId
                        + " starts at " + Lsn.format(parent.startLsn()) + " (choose an LSN between that and "
                        + Lsn.format(parent.lastRecordLsn()) + ")");
            }
        }
        return tenant(tenantId).branch(parentId, newId, lsn == null ? 0 : lsn);
    }

    private void checkNewTimeline(String tenantId, String timelineId) {
        if (timelineId == null) {
            return;
        }
        Ids.check(timelineId, "timeline");
        if (tenant(tenantId).timelines().stream().anyMatch(tl -> tl.timelineId().equals(timelineId))) {
            throw new ConflictException("tenant " + tenantId + " already has a timeline " + timelineId);
        }
    }

    /** The A.6 summary of a timeline: the same fields, in the same order, as {@code timeline detail}. */
    public Map<String, Object> info(Timeline tl) {
        return TimelineDetail.of(tl, backend).toMap();
    }

    /** The timeline's ingest state, or null when it has no WAL source. */
    public IngestStatus ingestStatus(Timeline tl) {
        return replication.status(tl.tenantId(), tl.timelineId());
    }

    /** Runs checkpoint, compact or gc now and reports what it did. */
    public OperationResult run(Timeline tl, String operation) {
        Supplier<String> op = switch (operation) {
            case "checkpoint" -> () -> {
                tl.checkpoint();
                return "flushed the in-memory layers; disk-consistent LSN is now " + Lsn.format(tl.diskConsistentLsn());
            };
            case "compact" -> tl::compact;
            case "gc" -> tl::gc;
            default -> throw new IllegalArgumentException("unknown operation '" + operation + "' (expected "
                    + "checkpoint, compact or gc)");
        };
        Timer timer = metrics.operationTimer(operation);
        long start = System.nanoTime();
        String result = timer.record(op);
        long ms = (System.nanoTime() - start) / 1_000_000;
        List<LayerInfo> layers = tl.layers();
        int l0 = (int) layers.stream().filter(l -> "delta-l0".equals(l.kind())).count();
        return new OperationResult(tl.tenantId(), tl.timelineId(), operation, result, ms,
                Lsn.format(tl.lastRecordLsn()), Lsn.format(tl.diskConsistentLsn()), Lsn.format(tl.gcCutoffLsn()),
                layers.size(), l0);
    }

    /** Timelines branched from {@code tl}, for drawing branch points. */
    public List<Timeline> children(Timeline tl) {
        List<Timeline> out = new ArrayList<>();
        for (Timeline c : tenant(tl.tenantId()).timelines()) {
            if (tl.timelineId().equals(c.ancestorTimelineId())) {
                out.add(c);
            }
        }
        return out;
    }

    /**
     * Resolves the LSN of a read: {@link Lsn#MAX} means the latest; an LSN not yet ingested is waited for.
     *
     * @throws NotYetException when it does not arrive within the wait timeout
     */
    public long readLsn(Timeline tl, long lsn) throws InterruptedException {
        if (lsn == Lsn.MAX) {
            return tl.lastRecordLsn();
        }
        if (Long.compareUnsigned(lsn, tl.lastRecordLsn()) > 0) {
            try {
                tl.waitForLsn(lsn, waitLsnTimeout);
            } catch (TimeoutException e) {
                throw new NotYetException("LSN " + Lsn.format(lsn) + " has not been ingested after waiting "
                        + waitLsnTimeout.toSeconds() + " s (the timeline is at " + Lsn.format(tl.lastRecordLsn())
                        + "; is the primary streaming? see ingest_lag_bytes in the timeline's detail)");
            }
        }
        return lsn;
    }

    /**
     * One 8 KB block of a relation fork at an LSN already resolved with {@link #readLsn}.
     *
     * @throws NotFoundException when the relation does not exist at that LSN or the block is past its end
     */
    public byte[] page(Timeline tl, RelTag rel, int blkno, long lsn) {
        DatadirView dv = datadirs.apply(tl);
        String what = "relation " + rel.relPath() + " (" + RelTag.forkName(rel.forkNum()) + " fork)";
        if (!dv.relExists(rel, lsn)) {
            throw new NotFoundException(what + " does not exist at LSN " + Lsn.format(lsn));
        }
        int size = dv.relSize(rel, lsn);
        if (Integer.compareUnsigned(blkno, size) >= 0) {
            throw new NotFoundException(what + " has " + size + " blocks at LSN " + Lsn.format(lsn) + "; block "
                    + Integer.toUnsignedString(blkno) + " is past its end");
        }
        return dv.relPage(rel, blkno, lsn);
    }

    /** A look-up that found nothing. */
    public static final class NotFoundException extends RuntimeException {
        public NotFoundException(String message) {
            super(message);
        }
    }

    /** A create that collides with something that exists. */
    public static final class ConflictException extends RuntimeException {
        public ConflictException(String message) {
            super(message);
        }
    }

    /** An LSN that did not arrive in time. */
    public static final class NotYetException extends RuntimeException {
        public NotYetException(String message) {
            super(message);
        }
    }
}

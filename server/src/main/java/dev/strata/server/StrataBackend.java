package dev.strata.server;

import dev.strata.replication.ReplicationService;
import dev.strata.storage.timeline.Tenant;
import dev.strata.storage.timeline.Timeline;
import dev.strata.wire.ServerBackend;

import java.util.function.Supplier;

/**
 * What the pg port asks of the rest of the server, answered with the replication service and the server's default
 * timeline.
 */
final class StrataBackend implements ServerBackend {
    private final ReplicationService replication;
    private final String defaultSlot;
    private final Supplier<Timeline> defaultTimeline;

    StrataBackend(ReplicationService replication, String defaultSlot, Supplier<Timeline> defaultTimeline) {
        this.replication = replication;
        this.defaultSlot = defaultSlot;
        this.defaultTimeline = defaultTimeline;
    }

    @Override
    public Timeline createTimelineFromPrimary(Tenant tenant, String timelineId, String conninfo, String slotName) {
        return replication.createFromPrimary(tenant.tenantId(), timelineId, conninfo,
                slotName == null ? defaultSlot : slotName);
    }

    /** The conninfo as given when the timeline was created (a standby made with --replica connects with it). */
    @Override
    public String primaryConninfo(Timeline timeline) {
        return timeline.properties().get(ReplicationService.PROP_CONNINFO);
    }

    @Override
    public Timeline defaultTimeline() {
        return defaultTimeline.get();
    }

    @Override
    public ServerBackend.IngestStatus ingestStatus(Timeline timeline) {
        return convert(replication.status(timeline.tenantId(), timeline.timelineId()));
    }

    /** Without a WAL source: no source, lag unknown; no remote storage, so nothing is remote-consistent. */
    static ServerBackend.IngestStatus convert(dev.strata.replication.IngestStatus s) {
        if (s == null) {
            return ServerBackend.IngestStatus.UNKNOWN;
        }
        boolean lagKnown = s.primaryFlushLsn() != 0;
        return new ServerBackend.IngestStatus(s.walSource(), lagKnown ? s.lagBytes() : -1, 0);
    }
}

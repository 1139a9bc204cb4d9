package dev.strata.wire.admin;

import dev.strata.storage.pg.Lsn;
import dev.strata.storage.pgdata.DatadirView;
import dev.strata.storage.timeline.Tenant;
import dev.strata.storage.timeline.Timeline;
import dev.strata.wire.ServerContext;
import dev.strata.wire.connection.Session;
import dev.strata.wire.protocol.PgException;
import dev.strata.wire.protocol.SqlState;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

/** What a running command sees: the server, the session, and lookups that check access and existence. */
public record CommandContext(ServerContext server, Session session) {
    /** The tenant, after checking the session may reach it; 42704 when it does not exist. */
    public Tenant tenant(String tenantId) {
        session.access().checkTenant(tenantId);
        Tenant t = server.pageService().findTenant(tenantId);
        if (t == null) {
            throw new PgException(SqlState.UNDEFINED_OBJECT, "tenant " + tenantId + " does not exist",
                    "'tenant list' shows the tenants; 'tenant create' makes one");
        }
        return t;
    }

    /** The timeline, after checking access; 42704 when the tenant or timeline does not exist. */
    public Timeline timeline(String tenantId, String timelineId) {
        Tenant t = tenant(tenantId);
        for (Timeline tl : t.timelines()) {
            if (tl.timelineId().equals(timelineId)) {
                return tl;
            }
        }
        throw new PgException(SqlState.UNDEFINED_OBJECT, "timeline " + timelineId + " does not exist in tenant "
                + tenantId, "'timeline list " + tenantId + "' shows its timelines");
    }

    public DatadirView view(Timeline timeline) {
        return server.pageService().view(timeline);
    }

    /**
     * The LSN a backup is taken at: {@code requested} (waiting up to the configured timeout for it to be ingested)
     * or, when null, the timeline's last record LSN; refused below the GC cutoff or the timeline's start.
     */
    public long backupLsn(Timeline tl, Long requested) throws InterruptedException {
        if (requested == null) {
            return tl.lastRecordLsn();
        }
        long lsn = requested;
        long floor = Math.max(tl.gcCutoffLsn(), tl.startLsn());
        if (Long.compareUnsigned(lsn, floor) < 0) {
            throw new PgException(SqlState.INVALID_PARAMETER_VALUE, "LSN " + Lsn.format(lsn) + " is below the "
                    + (tl.gcCutoffLsn() >= tl.startLsn() ? "GC cutoff " : "start of timeline ") + Lsn.format(floor)
                    + " of timeline " + tl.timelineId(), "request an LSN at or above " + Lsn.format(floor));
        }
        if (Long.compareUnsigned(lsn, tl.lastRecordLsn()) > 0) {
            Duration timeout = server.config().waitLsnTimeout();
            try {
                tl.waitForLsn(lsn, timeout);
            } catch (TimeoutException e) {
                throw new PgException(SqlState.QUERY_CANCELED, "timed out after " + timeout.toSeconds()
                        + " s waiting for WAL at LSN " + Lsn.format(lsn) + " (last_record_lsn "
                        + Lsn.format(tl.lastRecordLsn()) + ")", "check that the timeline streams from its "
                        + "primary ('timeline detail'), or request an LSN it has");
            }
        }
        return lsn;
    }
}

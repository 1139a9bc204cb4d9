package dev.strata.wire;

import dev.strata.storage.timeline.Tenant;
import dev.strata.storage.timeline.Timeline;

/**
 * What the pg port needs from the rest of the server beyond storage: timelines that stream from a primary (the
 * replication module, which wire must not depend on), and the server's defaults. The server module implements it.
 */
public interface ServerBackend {
    /**
     * Creates timeline {@code timelineId} (null: a new random id) in {@code tenant} from a running primary: imports
     * its base backup through {@code slotName} (null: the server's default slot name) and starts streaming. Returns
     * once the timeline is readable.
     *
     * @throws Exception saying what failed (connection, slot, import), shown to the client
     */
    Timeline createTimelineFromPrimary(Tenant tenant, String timelineId, String conninfo, String slotName)
            throws Exception;

    /** The conninfo of the primary the timeline streams from (for {@code --replica}), or null when it has none. */
    String primaryConninfo(Timeline timeline);

    /** The server's default timeline (replication connections without strata.* options use it), or null. */
    Timeline defaultTimeline();

    /** Ingest facts for {@code timeline detail}; never null. */
    IngestStatus ingestStatus(Timeline timeline);

    /**
     * @param walSource           where WAL comes from (a conninfo without password), or null
     * @param ingestLagBytes      primary's flush LSN minus the timeline's last record LSN, or -1 when unknown
     * @param remoteConsistentLsn everything at or below it is in remote storage, or 0 when there is none
     */
    record IngestStatus(String walSource, long ingestLagBytes, long remoteConsistentLsn) {
        public static final IngestStatus UNKNOWN = new IngestStatus(null, -1, 0);
    }

    /** A backend for servers without replication: timelines from primaries are refused with a clear message. */
    static ServerBackend withoutReplication() {
        return new ServerBackend() {
            @Override
            public Timeline createTimelineFromPrimary(Tenant tenant, String timelineId, String conninfo,
                                                      String slotName) {
                throw new UnsupportedOperationException("this server runs without a replication client, so it "
                        + "cannot import from a primary: start it with 'strata pageserver' to use 'timeline create'");
            }

            @Override
            public String primaryConninfo(Timeline timeline) {
                return timeline.properties().get("wal_source");
            }

            @Override
            public Timeline defaultTimeline() {
                return null;
            }

            @Override
            public IngestStatus ingestStatus(Timeline timeline) {
                return new IngestStatus(timeline.properties().get("wal_source"), -1, 0);
            }
        };
    }
}

package dev.strata.server.admin;

import dev.strata.storage.timeline.Timeline;

/**
 * The server's hold on WAL ingest: creating timelines from a primary, resuming their streams on restart, and
 * reporting their progress. Implemented over the replication module's service.
 */
public interface IngestControl extends AutoCloseable {
    /**
     * Creates a timeline of {@code tenantId} from a primary: takes its base backup through the slot, imports it
     * and starts streaming. Returns once the timeline is readable.
     *
     * @param timelineId null for a new random id
     * @param slot       the physical replication slot on the primary
     */
    Timeline createFromPrimary(String tenantId, String timelineId, String conninfo, String slot);

    /** Restarts streaming for every timeline that has a WAL source (after a server restart). */
    void resumeAll();

    /** The timeline's ingest state, or null when it has no WAL source (a branch, or a timeline without one). */
    IngestInfo status(String tenantId, String timelineId);

    /** Stops every stream after confirming what is durable to the primaries. */
    @Override
    void close();
}

package dev.strata.storage.timeline;

import java.util.List;

/** A tenant: a set of timelines sharing one directory. */
public interface Tenant {
    /** 32 lowercase hex digits. */
    String tenantId();

    List<Timeline> timelines();

    /** @throws dev.strata.storage.StorageException naming the id when there is no such timeline */
    Timeline timeline(String timelineId);

    /**
     * Creates an empty root timeline whose first readable LSN will be {@code startLsn} (an import fills it).
     *
     * @param timelineId null for a new random id
     */
    Timeline createTimeline(String timelineId, long startLsn);

    /**
     * Branches {@code parentId} at {@code lsn} (0 = the parent's last record LSN).
     *
     * @param newId null for a new random id
     */
    Timeline branch(String parentId, String newId, long lsn);

    /** Bytes of layer files of all timelines. */
    long physicalSize();
}

package dev.strata.storage.timeline;

import dev.strata.storage.key.Key;
import dev.strata.storage.value.Value;

/**
 * The ingest side of a timeline. Values put for one WAL record become visible together when the record is
 * committed with {@link #finishRecord}; readers never see half a record.
 */
public interface TimelineWriter {
    /** Stores {@code value} under {@code key} at {@code lsn} (a record's end LSN). Not visible until finishRecord. */
    void put(Key key, long lsn, Value value);

    /**
     * Commits everything put so far: {@code lastRecordLsn} becomes {@code endLsn} (with {@code startLsn} as prev)
     * and readers waiting for it wake. May freeze and roll the open layer.
     */
    void finishRecord(long startLsn, long endLsn);

    /** Reads as ingest sees it, including values put but not yet committed (for read-modify-write of metadata). */
    byte[] getPending(Key key, long lsn);

    /**
     * Runs {@code work}, the calling thread's puts and finished records for a run of records, as one batch: a writer
     * that serialises its callers may do so once for the batch instead of once per put and per record. Others that
     * need the writer (a checkpoint's freeze, shutdown) wait for the batch to end, so keep batches short.
     */
    default void batch(Runnable work) {
        work.run();
    }
}

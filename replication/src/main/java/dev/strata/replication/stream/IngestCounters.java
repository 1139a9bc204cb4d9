package dev.strata.replication.stream;

/** Live figures of one timeline's ingest, written by its threads and read by status requests. */
public final class IngestCounters {
    volatile long receivedLsn;
    volatile long reportedFlushLsn;
    volatile long primaryFlushLsn;
    volatile long records;
    volatile long walBytes;
    volatile String lastError;

    public long receivedLsn() {
        return receivedLsn;
    }

    /** The flush position last handed to the primary (the timeline's durable LSN). */
    public long reportedFlushLsn() {
        return reportedFlushLsn;
    }

    /** The primary's WAL flush position as last seen (0 when unknown). */
    public long primaryFlushLsn() {
        return primaryFlushLsn;
    }

    public long records() {
        return records;
    }

    public long walBytes() {
        return walBytes;
    }

    public String lastError() {
        return lastError;
    }

    void setPrimaryFlushLsn(long lsn) {
        if (Long.compareUnsigned(lsn, primaryFlushLsn) > 0) {
            primaryFlushLsn = lsn;
        }
    }
}

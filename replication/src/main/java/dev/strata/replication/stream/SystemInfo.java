package dev.strata.replication.stream;

/**
 * What IDENTIFY_SYSTEM and a few SHOW commands tell about the primary.
 *
 * @param systemId       the cluster's system identifier (pg_control's, unsigned)
 * @param timeline       the primary's current timeline
 * @param flushLsn       its WAL flush position when asked
 * @param segmentSize    wal_segment_size in bytes
 * @param senderTimeoutMillis wal_sender_timeout (0 = disabled)
 */
public record SystemInfo(long systemId, int timeline, long flushLsn, int segmentSize, long senderTimeoutMillis) {
}

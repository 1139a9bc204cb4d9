package dev.strata.replication;

/**
 * What a timeline's ingest is doing, for the admin commands and the HTTP API. LSNs are 0 when unknown, counts -1.
 *
 * @param state             importing, catching-up, streaming, reconnecting, broken, stopped (or idle: the
 *                          timeline has a WAL source but nothing runs for it)
 * @param walSource         the primary's connection string with the password masked
 * @param slot              the physical replication slot
 * @param receivedLsn       end of the WAL received from the primary
 * @param lastRecordLsn     end of the last record committed to the timeline (readers are served up to here)
 * @param flushedLsn        the durable LSN, reported to the primary as flush and apply position
 * @param primaryFlushLsn   the primary's WAL flush position as last seen (0 when not known)
 * @param lagBytes          primaryFlushLsn - lastRecordLsn (0 when caught up or unknown)
 * @param importBytesDone   bytes of the base backup received
 * @param importBytesTotal  the backup's size estimate (-1 unknown)
 * @param importFilesDone   files of the base backup imported
 * @param importFilesTotal  files expected (-1 unknown)
 * @param bytesIngested     WAL bytes ingested since the server started
 * @param recordsIngested   WAL records ingested since the server started
 * @param lastError         the last error (transient ones while reconnecting, the reason when broken), or null
 */
public record IngestStatus(String state, String walSource, String slot, long receivedLsn, long lastRecordLsn,
                           long flushedLsn, long primaryFlushLsn, long lagBytes, long importBytesDone,
                           long importBytesTotal, long importFilesDone, long importFilesTotal, long bytesIngested,
                           long recordsIngested, String lastError) {
}

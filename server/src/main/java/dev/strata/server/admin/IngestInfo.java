package dev.strata.server.admin;

/**
 * What the server knows about one timeline's WAL source, for the HTTP API, metrics and the demo.
 *
 * @param walSource       the primary's conninfo with any password removed, or null
 * @param receivedLsn     the end of the WAL received from the primary
 * @param flushedLsn      the position confirmed to the primary's slot (durable in Strata)
 * @param primaryLsn      the primary's latest flushed WAL position as last reported, or 0 when unknown
 * @param lagBytes        how far ingest is behind the primary, in bytes of WAL
 * @param importProgress  0..1 while the base backup is being imported, 1 afterwards
 * @param bytesIngested   WAL bytes filed since the server started
 * @param recordsIngested WAL records filed since the server started
 * @param lastError       the last error of the WAL stream (what and what to do), or null
 */
public record IngestInfo(String walSource, long receivedLsn, long flushedLsn, long primaryLsn, long lagBytes,
                         double importProgress, long bytesIngested, long recordsIngested, String lastError) {
}

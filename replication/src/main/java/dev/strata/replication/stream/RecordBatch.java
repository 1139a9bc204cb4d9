package dev.strata.replication.stream;

import dev.strata.storage.wal.DecodedRecord;

import java.util.List;

/**
 * The records decoded from one XLogData message, in WAL order, handed from the receiver thread to the ingest
 * thread (which owns them once queued).
 *
 * @param records the complete records the message finished (possibly none: a record may span messages)
 * @param endLsn  the LSN after the message's last byte
 */
record RecordBatch(List<DecodedRecord> records, long endLsn) {
}

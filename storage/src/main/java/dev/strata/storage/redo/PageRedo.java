package dev.strata.storage.redo;

import dev.strata.storage.key.Key;
import dev.strata.storage.value.VersionedValue;

import java.util.List;

/**
 * Rebuilds a value from an older version and the records stored above it. The read path calls this once it has
 * collected, for one key, the newest image at or below the requested LSN (or none, when the oldest record is
 * will-init) and every record above it, oldest first.
 */
public interface PageRedo {
    /**
     * @param key       the key being reconstructed (a relation block, an SLRU block, ...)
     * @param lsn       the LSN the caller asked for; every record in {@code records} is at or below it
     * @param baseImage the newest image at or below the oldest record, or {@code null} when the oldest record is
     *                  will-init; not modified
     * @param baseLsn   the LSN the base image is stored at (ignored when {@code baseImage} is null)
     * @param records   records oldest first, each at an LSN above {@code baseLsn}
     * @return the value at {@code lsn}, a new array
     * @throws RedoException naming LSN, relation, block and record type when a record cannot be applied
     */
    byte[] reconstruct(Key key, long lsn, byte[] baseImage, long baseLsn, List<VersionedValue> records);

    /**
     * {@link #reconstruct(Key, long, byte[], long, List)} with the records in their flat form, NEWEST first (index
     * {@code records.size() - 1} is applied first). This default turns them into the list form; a redo that can read
     * the records where they lie overrides it to spare an object and a copy per record.
     *
     * @param records not empty; its bytes are valid during this call only, and it is not kept
     */
    default byte[] reconstruct(Key key, long lsn, byte[] baseImage, long baseLsn, RecordBatch records) {
        return reconstruct(key, lsn, baseImage, baseLsn, records.toListOldestFirst());
    }
}

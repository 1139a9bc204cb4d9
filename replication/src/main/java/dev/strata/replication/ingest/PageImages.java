package dev.strata.replication.ingest;

import dev.strata.storage.wal.BlockRef;
import dev.strata.storage.wal.DecodedRecord;

/** Restores the full-page image a block reference carries (decompressed, hole filled): an 8192-byte page. */
@FunctionalInterface
public interface PageImages {
    byte[] restore(DecodedRecord record, BlockRef block);
}

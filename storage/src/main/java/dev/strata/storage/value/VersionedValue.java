package dev.strata.storage.value;

/** A value with the LSN it is stored at (for records: the record's end LSN). */
public record VersionedValue(long lsn, Value value) {
}

package dev.strata.storage;

import dev.strata.storage.pg.Lsn;

/** A read below the timeline's applied GC cutoff: the versions it needs may be gone. */
public class LsnBelowGcCutoffException extends StorageException {
    private final long cutoff;

    public LsnBelowGcCutoffException(long requested, long cutoff) {
        super("LSN " + Lsn.format(requested) + " is below the GC cutoff " + Lsn.format(cutoff)
                + ": versions older than the cutoff may have been removed; read at or above it");
        this.cutoff = cutoff;
    }

    public long cutoff() {
        return cutoff;
    }
}

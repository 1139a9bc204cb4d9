package dev.strata.storage.redo.verify;

/**
 * Counters for one resource manager and record type: records seen, blocks whose after-image matched the redo
 * result, blocks that did not (or whose redo failed), blocks of a type Strata has no redo for, and checked blocks
 * that could not be verified because no earlier version of the block was seen.
 */
public final class TypeStats {
    long records;
    long verified;
    long mismatched;
    long unsupported;
    long withoutBase;

    public long records() {
        return records;
    }

    public long verified() {
        return verified;
    }

    public long mismatched() {
        return mismatched;
    }

    public long unsupported() {
        return unsupported;
    }

    public long withoutBase() {
        return withoutBase;
    }
}

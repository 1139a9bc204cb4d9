package dev.strata.replication.stream;

/**
 * A failure that retrying cannot fix (the slot is gone, the WAL was removed, the primary is a different cluster or
 * on another timeline, the WAL or a record is invalid): the timeline goes to the broken state with this message,
 * which says what happened and what to do.
 */
public final class PermanentFailure extends Exception {
    public PermanentFailure(String message) {
        super(message);
    }

    public PermanentFailure(String message, Throwable cause) {
        super(message, cause);
    }
}

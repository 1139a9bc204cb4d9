package dev.strata.wire.backup;

/**
 * A backup cannot be produced: the stored state is unusable (a malformed control file, a checkpoint with an
 * abnormal next XID, a page of the wrong size...) or reading it failed. The message names what, where (file in the
 * backup, block, LSN) and, when it can, what to do.
 */
public class BackupException extends RuntimeException {
    public BackupException(String message) {
        super(message);
    }

    public BackupException(String message, Throwable cause) {
        super(message, cause);
    }
}

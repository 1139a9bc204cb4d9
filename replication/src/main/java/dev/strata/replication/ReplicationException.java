package dev.strata.replication;

/** Creating or resuming a timeline from a primary failed; the message says what happened and what to do. */
public class ReplicationException extends RuntimeException {
    public ReplicationException(String message) {
        super(message);
    }

    public ReplicationException(String message, Throwable cause) {
        super(message, cause);
    }
}

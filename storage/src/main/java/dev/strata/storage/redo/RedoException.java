package dev.strata.storage.redo;

/** A record could not be applied; the message names LSN, relation, block and record type. */
public class RedoException extends Exception {
    public RedoException(String message) {
        super(message);
    }

    public RedoException(String message, Throwable cause) {
        super(message, cause);
    }
}

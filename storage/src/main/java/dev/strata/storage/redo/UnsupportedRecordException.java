package dev.strata.storage.redo;

/** A record of a resource manager or type Strata cannot replay; the message names LSN, relation, block and type. */
public class UnsupportedRecordException extends RedoException {
    public UnsupportedRecordException(String message) {
        super(message);
    }

    public UnsupportedRecordException(String message, Throwable cause) {
        super(message, cause);
    }
}

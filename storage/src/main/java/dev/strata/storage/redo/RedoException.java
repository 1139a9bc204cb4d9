package dev.strata.storage.redo;

import dev.strata.storage.StorageException;

/** A record could not be applied; the message names LSN, relation, block and record type. */
public class RedoException extends StorageException {
    public RedoException(String message) {
        super(message);
    }

    public RedoException(String message, Throwable cause) {
        super(message, cause);
    }
}

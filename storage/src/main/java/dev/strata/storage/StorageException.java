package dev.strata.storage;

/** Base of the storage layer's errors; every message says what was wrong and where (key, LSN, file, offset). */
public class StorageException extends RuntimeException {
    public StorageException(String message) {
        super(message);
    }

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}

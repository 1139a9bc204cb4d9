package dev.strata.storage;

/** The key has no version at or below the LSN: it does not exist there. Distinct from an internal error. */
public class KeyNotFoundException extends StorageException {
    public KeyNotFoundException(String message) {
        super(message);
    }
}

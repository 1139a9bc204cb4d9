package dev.strata.storage;

/** Stored bytes failed a check (checksum, magic, bounds): names the file and offset. Never returned as data. */
public class CorruptionException extends StorageException {
    public CorruptionException(String message) {
        super(message);
    }

    public CorruptionException(String message, Throwable cause) {
        super(message, cause);
    }
}

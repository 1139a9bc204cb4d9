package dev.strata.storage.wal;

import dev.strata.storage.StorageException;
import dev.strata.storage.pg.Lsn;

/**
 * WAL bytes that PostgreSQL 15 itself would refuse: a bad page header, a record that fails its CRC or its
 * {@code xl_prev} link, a block reference that contradicts its own lengths, an image that does not decompress to
 * the size it claims. The message always names the LSN (and, when reading files, the file and offset).
 *
 * <p>Reaching the end of the WAL (a zeroed tail, a recycled page) is not an error and is not reported with this
 * exception; see {@link WalStreamDecoder#endOfWal()}.
 */
public class WalFormatException extends StorageException {
    private final long lsn;
    private final String detail;

    /** @param lsn where the offending record or page starts; {@code what} says what is wrong there */
    public WalFormatException(long lsn, String what) {
        super("invalid WAL at " + Lsn.format(lsn) + ": " + what);
        this.lsn = lsn;
        this.detail = what;
    }

    /** A message that already names its location (used when adding a file name to a decoder's error). */
    public WalFormatException(long lsn, String message, Throwable cause) {
        super(message, cause);
        this.lsn = lsn;
        this.detail = message;
    }

    /** What is wrong, without the location prefix. */
    public String detail() {
        return detail;
    }

    /** The LSN of the record or page that failed. */
    public long lsn() {
        return lsn;
    }
}

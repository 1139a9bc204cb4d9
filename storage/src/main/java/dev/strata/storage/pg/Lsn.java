package dev.strata.storage.pg;

/**
 * Log sequence numbers: a 64-bit byte position in the WAL, written {@code X/Y} in hex as PostgreSQL does.
 *
 * <p>LSNs are carried as plain {@code long} everywhere on hot paths; this class only holds the
 * constants, parsing and formatting so that every module spells them the same way.
 */
public final class Lsn {
    /** {@code InvalidXLogRecPtr}. */
    public static final long INVALID = 0L;
    /** The page service's "latest" marker (all bits set). */
    public static final long MAX = 0xFFFF_FFFF_FFFF_FFFFL;

    private Lsn() {
    }

    /** Formats as PostgreSQL does: upper and lower 32 bits in uppercase hex, no leading zeros. */
    public static String format(long lsn) {
        return Long.toHexString(lsn >>> 32).toUpperCase() + "/" + Long.toHexString(lsn & 0xFFFF_FFFFL).toUpperCase();
    }

    /**
     * Parses {@code X/Y} (hex, either case).
     *
     * @throws IllegalArgumentException naming the text when it is not an LSN
     */
    public static long parse(String text) {
        int slash = text.indexOf('/');
        if (slash <= 0 || slash == text.length() - 1 || slash > 8 || text.length() - slash - 1 > 8) {
            throw new IllegalArgumentException("not an LSN (expected X/Y in hex, e.g. 0/16B3748): '" + text + "'");
        }
        try {
            long hi = Long.parseLong(text.substring(0, slash), 16);
            long lo = Long.parseLong(text.substring(slash + 1), 16);
            return (hi << 32) | lo;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not an LSN (expected X/Y in hex, e.g. 0/16B3748): '" + text + "'", e);
        }
    }
}

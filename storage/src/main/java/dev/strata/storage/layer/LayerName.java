package dev.strata.storage.layer;

import dev.strata.storage.key.Key;
import dev.strata.storage.key.KeyRange;

/**
 * A layer file's name, which states what it covers (Neon's scheme):
 * <pre>
 * delta: {keyStart}-{keyEnd}__{lsnStart}-{lsnEnd}   e.g. 000000000000000000000000000000000000-FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF__0000000001696070-00000000016960E9
 * image: {keyStart}-{keyEnd}__{lsn}
 * </pre>
 * Keys are 36 uppercase hex digits, LSNs 16; key ends and the delta's LSN end are exclusive (an image at L covers
 * L..L+1). A delta covering every key ({@link KeyRange#ALL}) is an L0 layer.
 *
 * @param image    true for an image layer
 * @param keyRange the keys covered
 * @param lsnStart inclusive
 * @param lsnEnd   exclusive
 */
public record LayerName(boolean image, KeyRange keyRange, long lsnStart, long lsnEnd) {
    public static LayerName delta(KeyRange keys, long lsnStart, long lsnEnd) {
        return new LayerName(false, keys, lsnStart, lsnEnd);
    }

    public static LayerName image(KeyRange keys, long lsn) {
        return new LayerName(true, keys, lsn, lsn + 1);
    }

    public boolean isL0() {
        return !image && keyRange.isAll();
    }

    public String fileName() {
        String keys = keyRange.start() + "-" + keyRange.end() + "__";
        return image ? keys + hex(lsnStart) : keys + hex(lsnStart) + "-" + hex(lsnEnd);
    }

    @Override
    public String toString() {
        return fileName();
    }

    /** Parses a layer file name, or returns null when {@code name} is not one. */
    public static LayerName parse(String name) {
        int sep = name.indexOf("__");
        if (sep != 73 || name.charAt(36) != '-') {
            return null;
        }
        try {
            KeyRange keys = new KeyRange(Key.parse(name.substring(0, 36)), Key.parse(name.substring(37, 73)));
            String lsns = name.substring(75);
            if (lsns.length() == 16) {
                return image(keys, Long.parseUnsignedLong(lsns, 16));
            }
            if (lsns.length() == 33 && lsns.charAt(16) == '-') {
                long start = Long.parseUnsignedLong(lsns.substring(0, 16), 16);
                long end = Long.parseUnsignedLong(lsns.substring(17), 16);
                return start < end ? delta(keys, start, end) : null;
            }
            return null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String hex(long v) {
        return String.format("%016X", v);
    }
}

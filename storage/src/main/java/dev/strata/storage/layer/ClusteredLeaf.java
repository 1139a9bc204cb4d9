package dev.strata.storage.layer;

import dev.strata.storage.key.Key;

import static dev.strata.storage.layer.LayerFileFormat.PAYLOAD;

/**
 * Field access on one clustered leaf block of a version 2 delta file (layout in {@link LayerFileFormat}): its
 * entry count, its directory of distinct keys and where each key's entries start, and its 20-byte entries. The
 * accessors check what they read against the block's own bounds, so that a wrong writer fails with a corruption
 * error naming the block rather than an index exception.
 */
final class ClusteredLeaf {
    /** Bytes of a version 2 entry: LSN, packed offset word, length. */
    static final int ENTRY_SIZE = 20;
    /** Bytes of a directory slot: an 18-byte key and the u16 index of its first entry. */
    static final int DIR_SLOT = Key.SIZE + 2;
    static final int HEADER = 4;

    private ClusteredLeaf() {
    }

    static int entries(byte[] b) {
        return ((b[0] & 0xFF) << 8) | (b[1] & 0xFF);
    }

    static int keys(byte[] b) {
        return ((b[2] & 0x7F) << 8) | (b[3] & 0xFF);
    }

    /** Whether the block's first key has versions at the end of the previous leaf block too. */
    static boolean continued(byte[] b) {
        return (b[2] & 0x80) != 0;
    }

    /** Checks the header of leaf block {@code blockNo} of {@code file} and returns its entry count. */
    static int check(byte[] b, String file, int blockNo) {
        int n = entries(b);
        int k = keys(b);
        if (n < 1 || k < 1 || k > n || HEADER + (long) k * DIR_SLOT + (long) n * ENTRY_SIZE > PAYLOAD) {
            throw LayerFileFormat.bad(file, (long) blockNo * LayerFileFormat.BLOCK_SIZE, "leaf block " + blockNo
                    + " says it holds " + n + " entries of " + k + " keys");
        }
        return n;
    }

    /** Payload offset of key {@code j} of the directory. */
    static int keyOffset(int j) {
        return HEADER + j * Key.SIZE;
    }

    /** Index of the first entry of key {@code j} (k = the block's key count). */
    static int firstEntry(byte[] b, int k, int j) {
        int at = HEADER + k * Key.SIZE + 2 * j;
        return ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
    }

    /** One past the last entry of key {@code j}. */
    static int endEntry(byte[] b, int k, int j) {
        return j + 1 < k ? firstEntry(b, k, j + 1) : entries(b);
    }

    /** Payload offset of entry {@code i} (k = the block's key count). */
    static int entryOffset(int k, int i) {
        return HEADER + k * DIR_SLOT + i * ENTRY_SIZE;
    }

    /** Payload offset where the inline values start. */
    static int valuesStart(byte[] b) {
        return entryOffset(keys(b), entries(b));
    }

    /** The directory index of the key of entry {@code i}: the last key whose first entry is at or before it. */
    static int keyOfEntry(byte[] b, int i, String file, int blockNo) {
        int k = keys(b);
        int lo = 0;
        int hi = k - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (firstEntry(b, k, mid) <= i) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        if (found < 0 || firstEntry(b, k, 0) != 0) {
            throw LayerFileFormat.bad(file, (long) blockNo * LayerFileFormat.BLOCK_SIZE, "leaf block " + blockNo
                    + " has a key directory that does not start at its first entry");
        }
        return found;
    }

    /**
     * The index of the last entry at or below {@code target} (18-byte key, then big-endian LSN): a binary search of
     * the key directory, then a walk down that key's LSNs. The block's fence is at or below the target, so such an
     * entry exists; -1 only when the block contradicts that.
     */
    static int search(byte[] b, byte[] target) {
        int k = keys(b);
        int lo = 0;
        int hi = k - 1;
        int j = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (LayerFileReader.compareFence(b, keyOffset(mid), target, Key.SIZE) <= 0) {
                j = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        if (j < 0) {
            return -1;
        }
        int first = firstEntry(b, k, j);
        int i = endEntry(b, k, j) - 1;
        if (LayerFileReader.compareFence(b, keyOffset(j), target, Key.SIZE) == 0) {
            long lsn = Bytes.getLong(target, Key.SIZE);
            while (i >= first && Bytes.getLong(b, entryOffset(k, i)) > lsn) {
                i--;
            }
        }
        return i;
    }
}

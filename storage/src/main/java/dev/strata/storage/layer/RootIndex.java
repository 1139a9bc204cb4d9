package dev.strata.storage.layer;

/**
 * A search structure over a layer file's in-memory index root: the entries of one file share a long prefix (one
 * relation, one fork), so each entry is represented by the 8 bytes that follow the prefix common to the whole root,
 * as a long. A lookup binary-searches those longs (8 bytes per entry in one array, a third of what comparing whole
 * entries reads) and compares whole entries only among entries whose 8 bytes tie with the target's.
 */
final class RootIndex {
    private final byte[] root;
    private final int count;
    private final int width;
    private final int fw;
    /** Length of the prefix of the first fw bytes that every entry shares. */
    private final int prefix;
    private final long[] windows;

    /** Entries {@code 0..count-1} of {@code width} bytes in {@code root}, ordered by their first {@code fw} bytes. */
    RootIndex(byte[] root, int count, int width, int fw) {
        this.root = root;
        this.count = count;
        this.width = width;
        this.fw = fw;
        int last = (count - 1) * width;
        int p = 0;
        while (p < fw && root[p] == root[last + p]) {
            p++;
        }
        this.prefix = p;
        this.windows = new long[count];
        for (int i = 0; i < count; i++) {
            windows[i] = window(root, i * width);
        }
    }

    /** The 8 bytes after the prefix of the fence at {@code off} of {@code b}, big-endian, zeros past fw. */
    private long window(byte[] b, int off) {
        long w = 0;
        for (int k = 0; k < 8; k++) {
            int at = prefix + k;
            w = (w << 8) | (at < fw ? b[off + at] & 0xFF : 0);
        }
        return w;
    }

    /** The index of the last entry at or below {@code target} (its first fw bytes), or -1. */
    int lastAtOrBelow(byte[] target) {
        for (int k = 0; k < prefix; k++) { // a short prefix: a plain loop beats a vectorised mismatch call here
            int c = (target[k] & 0xFF) - (root[k] & 0xFF);
            if (c != 0) {
                return c < 0 ? -1 : count - 1;
            }
        }
        long t = window(target, 0);
        int lo = 0;
        int hi = count - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(windows[mid], t) <= 0) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        if (found < 0 || windows[found] != t || prefix + 8 >= fw) {
            return found; // the windows decided (or cover the whole fence)
        }
        // Entries whose windows tie with the target's (a key whose versions fill many leaf blocks): binary-search
        // that run comparing them whole; when all of them are above the target, the answer is the entry before it.
        int runLo = 0;
        int runHi = found;
        while (runLo < runHi) {
            int mid = (runLo + runHi) >>> 1;
            if (Long.compareUnsigned(windows[mid], t) < 0) {
                runLo = mid + 1;
            } else {
                runHi = mid;
            }
        }
        int answer = runLo - 1;
        lo = runLo;
        hi = found;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (LayerFileReader.compareFence(root, mid * width, target, fw) <= 0) {
                answer = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return answer;
    }
}

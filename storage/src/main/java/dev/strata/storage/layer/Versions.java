package dev.strata.storage.layer;

/**
 * Versions of one key, LSN-ascending. Slots below {@code count} are immutable; the writer fills the next slot and
 * then publishes it by raising {@code count}; a full holder is copied into a bigger one that replaces it in the
 * index.
 */
final class Versions {
    final long[] lsns;
    final long[] locs;
    final int[] lens;
    volatile int count;

    Versions(int capacity) {
        lsns = new long[capacity];
        locs = new long[capacity];
        lens = new int[capacity];
    }

    void add(long lsn, long loc, int len) {
        int n = count;
        lsns[n] = lsn;
        locs[n] = loc;
        lens[n] = len;
        count = n + 1;
    }

    Versions grow() {
        int n = count;
        Versions v = new Versions(n * 2);
        System.arraycopy(lsns, 0, v.lsns, 0, n);
        System.arraycopy(locs, 0, v.locs, 0, n);
        System.arraycopy(lens, 0, v.lens, 0, n);
        v.count = n;
        return v;
    }

    /** Index of the last slot with LSN at or below {@code lsn} among the first n, or -1. */
    int lastAtOrBelow(long lsn, int n) {
        int lo = 0;
        int hi = n - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (lsns[mid] <= lsn) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }
}

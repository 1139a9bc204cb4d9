package dev.strata.storage.layer;

/**
 * Every version put into one in-memory layer, in put order, as packed primitives: for entry {@code e}, its LSN, its
 * location in the scratch file, its encoded length and the entry of the same key's previous version ({@code -1} for
 * the key's first). A key's versions thus form a chain from its newest entry (which {@link VersionIndex} keeps) to
 * its oldest, LSN-descending.
 *
 * <p>Storing versions this way costs no object per key or per version (a per-key holder of growing arrays cost four
 * allocations per key, a copy at each growth and a second hash probe to replace it), and appending never moves an
 * entry. Entries live in fixed-size chunks of three longs per entry ({@code lsn}, {@code loc},
 * {@code len << 32 | prev + 1}), small enough to stay ordinary young-generation objects.
 *
 * <p>One writer appends; readers read entries concurrently without locks. An entry is written completely before it
 * is published (by the release store of its key's head in {@link VersionIndex}), and is never changed afterwards.
 * A new chunk is stored in the chunk table, and a grown chunk table in the volatile field, before any entry in it
 * is published; so a reader that obtained an entry number through an acquiring read finds the entry's chunk.
 */
final class Versions {
    static final int NONE = -1;
    private static final int CHUNK_BITS = 13;
    private static final int CHUNK = 1 << CHUNK_BITS;
    private static final int MASK = CHUNK - 1;

    private volatile long[][] chunks = new long[4][];
    /** Entries appended (writer only). */
    private int count;

    /** Number of entries appended so far (writer thread, or any thread once the layer is frozen). */
    int count() {
        return count;
    }

    /** Appends an entry (writer only) and returns its number; it is published by the caller. */
    int append(long lsn, long loc, int len, int prev) {
        int e = count;
        int c = e >>> CHUNK_BITS;
        long[][] t = chunks;
        if (c == t.length) {
            long[][] bigger = java.util.Arrays.copyOf(t, t.length * 2);
            bigger[c] = new long[CHUNK * 3];
            chunks = bigger;
            t = bigger;
        } else if (t[c] == null) {
            t[c] = new long[CHUNK * 3];
        }
        long[] chunk = t[c];
        int i = (e & MASK) * 3;
        chunk[i] = lsn;
        chunk[i + 1] = loc;
        chunk[i + 2] = (long) len << 32 | (prev + 1L);
        count = e + 1;
        return e;
    }

    long lsn(int e) {
        return chunks[e >>> CHUNK_BITS][(e & MASK) * 3];
    }

    long loc(int e) {
        return chunks[e >>> CHUNK_BITS][(e & MASK) * 3 + 1];
    }

    int len(int e) {
        return (int) (chunks[e >>> CHUNK_BITS][(e & MASK) * 3 + 2] >>> 32);
    }

    /** The same key's previous (older) entry, or {@link #NONE}. */
    int prev(int e) {
        return (int) chunks[e >>> CHUNK_BITS][(e & MASK) * 3 + 2] - 1;
    }

}

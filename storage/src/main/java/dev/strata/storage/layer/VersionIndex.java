package dev.strata.storage.layer;

import dev.strata.storage.key.Key;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The in-memory layer's index: key to its newest version in {@link Versions} (whose entries chain to the key's
 * older ones). An open-addressing hash table (linear probing) with the key's six fields packed into three longs in
 * one array and the head entry and the key's ordinal in a parallel int array, so that appending a version costs one
 * probe, three primitive stores for the entry and one for the head: no object per key or version.
 *
 * <p>Why readers are safe without locks: a slot's key is written once, before its head is first stored; a head is
 * only ever stored with release semantics after its entry is complete, and readers load it with acquire semantics
 * before looking at the slot's key or at the entry. So a reader that finds a head also sees the key and every entry
 * along the chain. A slot is never emptied, so the slots a reader walks to find a key inserted before it
 * synchronised with the writer were all filled before that too; a slot whose head is still 0 ends the probe (that
 * key is not visible yet). A grown table is published by the volatile {@code table} field once complete; a reader
 * still holding the old one sees heads as of the growth, which includes every version the reader may read: those
 * at or below the last record LSN it read before looking up (written before that LSN was published).
 */
final class VersionIndex {
    private static final int INITIAL_CAPACITY = 1 << 12;
    private static final VarHandle HEADS = MethodHandles.arrayElementVarHandle(int[].class);

    private final Versions versions = new Versions();
    private volatile Table table = new Table(INITIAL_CAPACITY);
    /** Keys inserted (written after each insertion). */
    private volatile int size;

    private static final class Table {
        final long[] keys;
        /** Per slot: newest entry + 1 (0 = empty slot), then the key's ordinal; side by side, one cache line. */
        final int[] heads;
        final int mask;

        Table(int capacity) {
            keys = new long[capacity * 3];
            heads = new int[capacity * 2];
            mask = capacity - 1;
        }
    }

    /** Receives a key, its newest entry and its ordinal (0 for the first key put, then 1, 2, ...). */
    interface KeyHeadConsumer {
        void accept(Key key, int head, int ordinal);
    }

    int size() {
        return size;
    }

    /** The entries: LSN, location and length of each version, and the chain to the key's older ones. */
    Versions versions() {
        return versions;
    }

    /** The key's newest entry, or {@link Versions#NONE}. */
    int head(Key key) {
        Table t = table;
        long k0 = pack(key.f1(), key.f2());
        long k1 = pack(key.f3(), key.f4());
        long k2 = pack(key.f5(), key.f6());
        int i = hash(k0, k1, k2) & t.mask;
        while (true) {
            int h = (int) HEADS.getAcquire(t.heads, i * 2);
            if (h == 0) {
                return Versions.NONE;
            }
            int j = i * 3;
            if (t.keys[j] == k0 && t.keys[j + 1] == k1 && t.keys[j + 2] == k2) {
                return h - 1;
            }
            i = (i + 1) & t.mask;
        }
    }

    /**
     * Appends a version of the key (writer only) and publishes it. The key's LSNs must not decrease.
     *
     * @return true when the key was not in the index before
     */
    boolean add(Key key, long lsn, long loc, int len) {
        Table t = table;
        long k0 = pack(key.f1(), key.f2());
        long k1 = pack(key.f3(), key.f4());
        long k2 = pack(key.f5(), key.f6());
        int i = hash(k0, k1, k2) & t.mask;
        while (true) {
            int h = t.heads[i * 2];
            int j = i * 3;
            if (h == 0) {
                int ordinal = size;
                t.keys[j] = k0;
                t.keys[j + 1] = k1;
                t.keys[j + 2] = k2;
                t.heads[i * 2 + 1] = ordinal;
                int e = versions.append(lsn, loc, len, Versions.NONE, ordinal);
                HEADS.setRelease(t.heads, i * 2, e + 1);
                int n = ordinal + 1;
                if (n * 2 > t.mask + 1) {
                    table = grown(t);
                }
                size = n;
                return true;
            }
            if (t.keys[j] == k0 && t.keys[j + 1] == k1 && t.keys[j + 2] == k2) {
                int e = versions.append(lsn, loc, len, h - 1, t.heads[i * 2 + 1]);
                HEADS.setRelease(t.heads, i * 2, e + 1);
                return false;
            }
            i = (i + 1) & t.mask;
        }
    }

    /** Calls {@code out} with each key and its newest entry, in table order. */
    void forEach(KeyHeadConsumer out) {
        int n = size;
        Table t = table;
        int seen = 0;
        for (int i = 0; i <= t.mask && seen < n; i++) {
            int h = (int) HEADS.getAcquire(t.heads, i * 2);
            if (h != 0) {
                int j = i * 3;
                out.accept(unpack(t.keys[j], t.keys[j + 1], t.keys[j + 2]), h - 1, t.heads[i * 2 + 1]);
                seen++;
            }
        }
    }

    private static Table grown(Table old) {
        Table t = new Table((old.mask + 1) * 2);
        for (int i = 0; i <= old.mask; i++) {
            int h = old.heads[i * 2];
            if (h == 0) {
                continue;
            }
            int j = i * 3;
            long k0 = old.keys[j];
            long k1 = old.keys[j + 1];
            long k2 = old.keys[j + 2];
            int s = hash(k0, k1, k2) & t.mask;
            while (t.heads[s * 2] != 0) {
                s = (s + 1) & t.mask;
            }
            t.keys[s * 3] = k0;
            t.keys[s * 3 + 1] = k1;
            t.keys[s * 3 + 2] = k2;
            t.heads[s * 2] = h;
            t.heads[s * 2 + 1] = old.heads[i * 2 + 1];
        }
        return t;
    }

    private static long pack(int hi, int lo) {
        return (long) hi << 32 | (lo & 0xFFFF_FFFFL);
    }

    private static Key unpack(long k0, long k1, long k2) {
        return new Key((int) (k0 >>> 32), (int) k0, (int) (k1 >>> 32), (int) k1, (int) (k2 >>> 32), (int) k2);
    }

    private static int hash(long k0, long k1, long k2) {
        long h = (k0 * 0x9E37_79B9_7F4A_7C15L + k1) * 0x9E37_79B9_7F4A_7C15L + k2;
        h ^= h >>> 31;
        h *= 0xBF58_476D_1CE4_E5B9L;
        return (int) (h ^ h >>> 32);
    }
}

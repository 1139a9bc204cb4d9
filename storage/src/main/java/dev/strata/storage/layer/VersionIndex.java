package dev.strata.storage.layer;

import dev.strata.storage.key.Key;

import java.util.function.BiConsumer;

/**
 * The in-memory layer's index: key to its {@link Versions}, an open-addressing hash table (linear probing) with the
 * key's six fields packed into three longs in one array, so that a lookup touches one slot's cache line instead of
 * a map node and a key object. One writer; readers search concurrently without locks.
 *
 * <p>Why readers are safe: a slot is filled once and never emptied; a new key only ever takes a slot that was empty,
 * so the slots a reader walks to find a key inserted before it synchronised with the writer were all filled before
 * that too (a slot filled later, seen half-written, is a harmless mismatch or an end of chain for keys that are
 * not visible yet anyway). The writer publishes each new key with a volatile write that {@link #get} reads first;
 * a grown table is published by the volatile {@code table} field after it is complete, and the old one stays
 * consistent for readers still holding it. A key's holder is replaced by a bigger copy when full (a plain store:
 * readers synchronise with the versions they may see through the timeline's last record LSN, written after it).
 */
final class VersionIndex {
    private static final int INITIAL_CAPACITY = 1 << 12;

    private volatile Table table = new Table(INITIAL_CAPACITY);
    /** Keys inserted (written after each insertion, read before each search: the publication point). */
    private volatile int size;

    private static final class Table {
        final long[] keys;
        final Versions[] vals;
        final int mask;

        Table(int capacity) {
            keys = new long[capacity * 3];
            vals = new Versions[capacity];
            mask = capacity - 1;
        }
    }

    int size() {
        return size;
    }

    /** The key's versions, or null. */
    Versions get(Key key) {
        if (size == 0) {
            return null;
        }
        Table t = table;
        long k0 = pack(key.f1(), key.f2());
        long k1 = pack(key.f3(), key.f4());
        long k2 = pack(key.f5(), key.f6());
        int i = hash(k0, k1, k2) & t.mask;
        while (true) {
            Versions v = t.vals[i];
            if (v == null) {
                return null;
            }
            int j = i * 3;
            if (t.keys[j] == k0 && t.keys[j + 1] == k1 && t.keys[j + 2] == k2) {
                return v;
            }
            i = (i + 1) & t.mask;
        }
    }

    /** Sets the key's holder (writer only): replaces an existing key's, or inserts the key. */
    void put(Key key, Versions vs) {
        Table t = table;
        long k0 = pack(key.f1(), key.f2());
        long k1 = pack(key.f3(), key.f4());
        long k2 = pack(key.f5(), key.f6());
        int i = hash(k0, k1, k2) & t.mask;
        while (true) {
            Versions v = t.vals[i];
            int j = i * 3;
            if (v == null) {
                t.keys[j] = k0;
                t.keys[j + 1] = k1;
                t.keys[j + 2] = k2;
                t.vals[i] = vs;
                int n = size + 1;
                if (n * 2 > t.vals.length) {
                    table = grown(t);
                }
                size = n;
                return;
            }
            if (t.keys[j] == k0 && t.keys[j + 1] == k1 && t.keys[j + 2] == k2) {
                t.vals[i] = vs;
                return;
            }
            i = (i + 1) & t.mask;
        }
    }

    /** Calls {@code out} with each key and its holder, in table order. */
    void forEach(BiConsumer<Key, Versions> out) {
        int n = size;
        Table t = table;
        int seen = 0;
        for (int i = 0; i < t.vals.length && seen < n; i++) {
            Versions v = t.vals[i];
            if (v != null) {
                int j = i * 3;
                out.accept(unpack(t.keys[j], t.keys[j + 1], t.keys[j + 2]), v);
                seen++;
            }
        }
    }

    private static Table grown(Table old) {
        Table t = new Table(old.vals.length * 2);
        for (int i = 0; i < old.vals.length; i++) {
            Versions v = old.vals[i];
            if (v == null) {
                continue;
            }
            int j = i * 3;
            long k0 = old.keys[j];
            long k1 = old.keys[j + 1];
            long k2 = old.keys[j + 2];
            int s = hash(k0, k1, k2) & t.mask;
            while (t.vals[s] != null) {
                s = (s + 1) & t.mask;
            }
            t.keys[s * 3] = k0;
            t.keys[s * 3 + 1] = k1;
            t.keys[s * 3 + 2] = k2;
            t.vals[s] = v;
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

package dev.strata.storage.cache;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A bounded cache of immutable file blocks, shared by every layer file of an engine and keyed by (file id, block
 * number). It holds blocks only after they passed their checksum, so a cached block never needs checking again.
 * File ids are never reused, so blocks of deleted files are simply never asked for again and age out.
 *
 * <p>Design (like Neon's slot array): a fixed ring of {@code capacity / 8 KiB} slots evicted by CLOCK, and an
 * open-addressing hash table (linear probing, primitive long keys, at most half full) from key to slot entry. A hit
 * reads the table without any lock or allocation: it probes from the key's home slot until it finds an entry with
 * the key or an empty slot, then sets the entry's reference bit (only written when not yet set, so hot blocks do not
 * bounce a cache line between readers). Only a miss takes the lock, after loading the block outside it, to insert
 * the entry and evict the first unreferenced ring slot the clock hand finds. Eviction deletes by shifting later
 * entries of the probe run back, so the table never holds tombstones.
 *
 * <p>Why lock-free reads are safe: entries are immutable (key and data are final, the data is never written once
 * cached), the table is written only under the lock and its slots are published with release stores. A reader
 * racing with a backward shift may miss an entry that is being moved; it then loads and checks the block from disk
 * and, under the lock, finds the entry already there and returns it. It can never return another key's block,
 * because it compares the key stored in the entry itself.
 */
public final class PageCache {
    private static final AtomicLong NEXT_FILE_ID = new AtomicLong(1);
    private static final int BLOCK = 8192;
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Entry[].class);

    /** Loads (and checks) one block of a file on a miss. */
    @FunctionalInterface
    public interface Loader {
        byte[] load(long blockNo);
    }

    private final long capacityBytes;
    /** The hash table: a power of two at least twice the ring, so probe runs stay short. */
    private final Entry[] table;
    private final int mask;
    /** The CLOCK ring: what is cached, in insertion order; its length bounds the cache. */
    private final Entry[] ring;
    private final ReentrantLock lock = new ReentrantLock();
    private int hand;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();

    private static final class Entry {
        final long key;
        final byte[] data;
        volatile boolean referenced;

        Entry(long key, byte[] data) {
            this.key = key;
            this.data = data;
        }
    }

    public PageCache(long capacityBytes) {
        this.capacityBytes = capacityBytes;
        int n = (int) Math.max(16, Math.min(1 << 28, capacityBytes / BLOCK));
        this.ring = new Entry[n];
        int size = Integer.highestOneBit(n - 1) << 2; // the next power of two >= n, doubled
        this.table = new Entry[size];
        this.mask = size - 1;
    }

    /** A process-wide unique id for a newly opened file. */
    public static long newFileId() {
        return NEXT_FILE_ID.getAndIncrement();
    }

    /**
     * The block, loading (and so checking) it with {@code loader} on a miss. Exceptions of the loader propagate and
     * nothing is cached.
     */
    public byte[] get(long fileId, int blockNo, Loader loader) {
        long key = (fileId << 32) | (blockNo & 0xFFFF_FFFFL);
        int home = (int) scramble(key) & mask;
        Entry e = find(key, home);
        if (e != null) {
            if (!e.referenced) {
                e.referenced = true;
            }
            hits.increment();
            return e.data;
        }
        misses.increment();
        byte[] data = loader.load(blockNo & 0xFFFF_FFFFL);
        return insert(new Entry(key, data), home);
    }

    private Entry find(long key, int home) {
        Entry[] t = table;
        for (int i = home; ; i = (i + 1) & mask) {
            Entry e = (Entry) SLOT.getAcquire(t, i);
            if (e == null || e.key == key) {
                return e;
            }
        }
    }

    /** Inserts the entry unless another thread did first (then returns that one's data), evicting one block. */
    private byte[] insert(Entry fresh, int home) {
        lock.lock();
        try {
            int i = home;
            for (Entry e; (e = table[i]) != null; i = (i + 1) & mask) {
                if (e.key == fresh.key) {
                    return e.data;
                }
            }
            Entry victim = advanceHand();
            if (victim != null) {
                remove(victim);
                // The shift may have moved entries of our run: look for the first empty slot again.
                i = home;
                while (table[i] != null) {
                    i = (i + 1) & mask;
                }
            }
            SLOT.setRelease(table, i, fresh);
            ring[hand] = fresh;
            hand = hand + 1 == ring.length ? 0 : hand + 1;
            return fresh.data;
        } finally {
            lock.unlock();
        }
    }

    /** Moves the clock hand to the first unreferenced (or empty) ring slot, clearing bits on the way. */
    private Entry advanceHand() {
        while (true) {
            Entry victim = ring[hand];
            if (victim == null || !victim.referenced) {
                return victim;
            }
            victim.referenced = false;
            hand = hand + 1 == ring.length ? 0 : hand + 1;
        }
    }

    /**
     * Deletes an entry from the table by backward shift: each later entry of the probe run whose home slot does not
     * lie cyclically in (gap, its slot] moves into the gap, so every entry stays reachable from its home slot
     * through a run of non-empty slots.
     */
    private void remove(Entry victim) {
        int gap = (int) scramble(victim.key) & mask;
        while (table[gap] != victim) {
            gap = (gap + 1) & mask;
        }
        for (int i = (gap + 1) & mask; ; i = (i + 1) & mask) {
            Entry e = table[i];
            if (e == null) {
                break;
            }
            int home = (int) scramble(e.key) & mask;
            boolean stays = gap <= i ? (gap < home && home <= i) : (gap < home || home <= i);
            if (!stays) {
                SLOT.setRelease(table, gap, e);
                gap = i;
            }
        }
        SLOT.setRelease(table, gap, (Entry) null);
    }

    /**
     * A bijection on longs (the MurmurHash3 finaliser), so that (file, block) pairs spread over the hash table:
     * the plain {@code file << 32 | block} puts consecutive blocks of one file in consecutive slots and every file
     * at the same place.
     */
    static long scramble(long x) {
        x ^= x >>> 33;
        x *= 0xff51afd7ed558ccdL;
        x ^= x >>> 33;
        x *= 0xc4ceb9fe1a85ec53L;
        x ^= x >>> 33;
        return x;
    }

    public long capacityBytes() {
        return capacityBytes;
    }

    public long hits() {
        return hits.sum();
    }

    public long misses() {
        return misses.sum();
    }

    /** The number of blocks cached now (for tests). */
    public int size() {
        lock.lock();
        try {
            int n = 0;
            for (Entry e : ring) {
                n += e == null ? 0 : 1;
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    /** Drops every block (for tests that change files behind the cache's back). */
    public void clear() {
        lock.lock();
        try {
            java.util.Arrays.fill(ring, null);
            for (int i = 0; i < table.length; i++) {
                SLOT.setRelease(table, i, (Entry) null);
            }
            hand = 0;
        } finally {
            lock.unlock();
        }
    }
}

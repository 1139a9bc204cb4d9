package dev.strata.storage.cache;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongFunction;

/**
 * A bounded cache of immutable file blocks, shared by every layer file of an engine and keyed by (file id, block
 * number). It holds blocks only after they passed their checksum, so a cached block never needs checking again.
 * File ids are never reused, so blocks of deleted files are simply never asked for again and age out.
 *
 * <p>Design (like Neon's slot array): a fixed ring of {@code capacity / 8 KiB} slots evicted by CLOCK, and a
 * concurrent hash map from key to slot entry. A hit is one hash lookup plus setting a reference bit (only written
 * when not yet set, so hot blocks do not bounce a cache line between readers); a miss loads the block outside any
 * lock, then takes the eviction lock just to swap it into the ring. Measured on the read path this costs about half
 * of what a general-purpose cache with frequency sketches and read buffers does, and layer reads are dominated by
 * block lookups.
 */
public final class PageCache {
    private static final AtomicLong NEXT_FILE_ID = new AtomicLong(1);
    private static final int BLOCK = 8192;

    private final long capacityBytes;
    private final ConcurrentHashMap<Long, Entry> map;
    private final Entry[] slots;
    private final ReentrantLock evictLock = new ReentrantLock();
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
        int n = (int) Math.max(16, Math.min(Integer.MAX_VALUE - 8, capacityBytes / BLOCK));
        this.slots = new Entry[n];
        this.map = new ConcurrentHashMap<>(n * 2);
    }

    /** A process-wide unique id for a newly opened file. */
    public static long newFileId() {
        return NEXT_FILE_ID.getAndIncrement();
    }

    /**
     * The block, loading (and so checking) it with {@code loader} on a miss. Exceptions of the loader propagate and
     * nothing is cached.
     */
    public byte[] get(long fileId, int blockNo, LongFunction<byte[]> loader) {
        long key = scramble((fileId << 32) | (blockNo & 0xFFFF_FFFFL));
        Entry e = map.get(key);
        if (e != null) {
            if (!e.referenced) {
                e.referenced = true;
            }
            hits.increment();
            return e.data;
        }
        misses.increment();
        byte[] data = loader.apply(blockNo & 0xFFFF_FFFFL);
        Entry fresh = new Entry(key, data);
        Entry raced = map.putIfAbsent(key, fresh);
        if (raced != null) {
            return raced.data;
        }
        install(fresh);
        return data;
    }

    /** Puts the entry into the ring, evicting the first slot the clock hand finds unreferenced. */
    private void install(Entry fresh) {
        evictLock.lock();
        try {
            while (true) {
                Entry victim = slots[hand];
                if (victim != null && victim.referenced) {
                    victim.referenced = false;
                    hand = (hand + 1) % slots.length;
                    continue;
                }
                if (victim != null) {
                    map.remove(victim.key, victim);
                }
                slots[hand] = fresh;
                hand = (hand + 1) % slots.length;
                return;
            }
        } finally {
            evictLock.unlock();
        }
    }

    /**
     * A bijection on longs (the MurmurHash3 finaliser), so that (file, block) pairs spread over the hash table:
     * Long.hashCode of the plain {@code file << 32 | block} is {@code file ^ block}, which collides for every pair
     * with the same XOR.
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

    /** Drops every block (for tests that change files behind the cache's back). */
    public void clear() {
        evictLock.lock();
        try {
            java.util.Arrays.fill(slots, null);
            map.clear();
        } finally {
            evictLock.unlock();
        }
    }
}

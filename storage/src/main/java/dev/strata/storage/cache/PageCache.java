package dev.strata.storage.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongFunction;

/**
 * A bounded cache of immutable file blocks, shared by every layer file of an engine and keyed by (file id, block
 * number). It holds blocks only after they passed their checksum, so a cached block never needs checking again.
 * File ids are never reused, so blocks of deleted files are simply never asked for again and age out.
 */
public final class PageCache {
    private static final AtomicLong NEXT_FILE_ID = new AtomicLong(1);

    private final Cache<Long, byte[]> blocks;
    private final long capacityBytes;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();

    public PageCache(long capacityBytes) {
        this.capacityBytes = capacityBytes;
        this.blocks = Caffeine.newBuilder()
                .maximumWeight(Math.max(capacityBytes, 1))
                .weigher((Long k, byte[] v) -> v.length)
                // Eviction bookkeeping on the calling thread: no hidden pool threads, nothing to shut down.
                .executor(Runnable::run)
                .build();
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
        long key = (fileId << 32) | (blockNo & 0xFFFF_FFFFL);
        byte[] b = blocks.getIfPresent(key);
        if (b != null) {
            hits.increment();
            return b;
        }
        misses.increment();
        return blocks.get(key, k -> loader.apply(k & 0xFFFF_FFFFL));
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

    public void clear() {
        blocks.invalidateAll();
    }
}

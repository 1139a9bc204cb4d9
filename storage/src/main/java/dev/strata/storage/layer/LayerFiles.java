package dev.strata.storage.layer;

import dev.strata.storage.cache.PageCache;
import dev.strata.storage.io.FileHandles;

/** What layer file readers share: the block cache and the bounded set of open descriptors. */
public record LayerFiles(PageCache cache, FileHandles handles) {
    /** A cache of {@code cacheBytes} and at most {@code maxOpenFiles} descriptors. */
    public static LayerFiles of(long cacheBytes, int maxOpenFiles) {
        return new LayerFiles(new PageCache(cacheBytes), new FileHandles(maxOpenFiles));
    }
}

package dev.strata.storage.timeline;

import dev.strata.storage.cache.PageCache;
import dev.strata.storage.io.DurableFiles;
import dev.strata.storage.layer.LayerFiles;
import dev.strata.storage.layer.TailPool;
import dev.strata.storage.redo.PageRedo;

import java.util.concurrent.Executor;

/**
 * What every timeline of one engine shares: its settings, the page cache, the redo, durable file operations, the
 * pool that runs flushes and the pool that runs compaction and GC (separate, so a long compaction never delays a
 * flush that ingest may be waiting for), and the tail buffers in-memory layers keep in memory.
 */
public record EngineContext(EngineConfig config, LayerFiles layerFiles, PageRedo redo, DurableFiles files,
                            Executor flushes, Executor maintenance, TailPool tails) {
    public PageCache cache() {
        return layerFiles.cache();
    }

    /** True when background compaction and image creation are on (compactionPeriod &gt; 0). */
    public boolean backgroundCompaction() {
        return !config.compactionPeriod().isZero() && !config.compactionPeriod().isNegative();
    }
}

package dev.strata.storage.timeline;

import dev.strata.storage.cache.PageCache;
import dev.strata.storage.layer.DeltaLayer;
import dev.strata.storage.layer.ImageLayer;
import dev.strata.storage.layer.InMemoryLayer;
import dev.strata.storage.layer.LayerMap;

import java.util.concurrent.atomic.LongAdder;

/** The running totals behind {@link TimelineStats}. */
final class TimelineCounters {
    final LongAdder bytesIngested = new LongAdder();
    final LongAdder recordsIngested = new LongAdder();
    final LongAdder flushes = new LongAdder();
    final LongAdder flushNanos = new LongAdder();
    final LongAdder compactions = new LongAdder();
    final LongAdder compactionNanos = new LongAdder();
    final LongAdder compactedBytes = new LongAdder();
    final LongAdder imageLayersCreated = new LongAdder();
    final LongAdder imagePagesCreated = new LongAdder();
    final LongAdder imageCreationNanos = new LongAdder();
    final LongAdder gcRuns = new LongAdder();
    final LongAdder gcNanos = new LongAdder();
    final LongAdder gcLayersRemoved = new LongAdder();
    final LongAdder redoCount = new LongAdder();
    final LongAdder redoNanos = new LongAdder();

    /** The counters with the layer gauges of {@code m}. */
    TimelineStats snapshot(LayerMap m, PageCache cache) {
        int inMem = m.frozen().size() + (m.open() != null ? 1 : 0);
        long inMemBytes = m.open() != null ? m.open().estimatedSize() : 0;
        for (InMemoryLayer f : m.frozen()) {
            inMemBytes += f.estimatedSize();
        }
        int l0 = 0;
        int l1 = 0;
        long l0b = 0;
        long l1b = 0;
        long imb = 0;
        for (DeltaLayer d : m.deltas()) {
            if (d.isL0()) {
                l0++;
                l0b += d.sizeBytes();
            } else {
                l1++;
                l1b += d.sizeBytes();
            }
        }
        for (ImageLayer i : m.images()) {
            imb += i.sizeBytes();
        }
        return new TimelineStats(inMem, inMemBytes, l0, l0b, l1, l1b, m.images().size(), imb, bytesIngested.sum(),
                recordsIngested.sum(), flushes.sum(), flushNanos.sum(), compactions.sum(), compactionNanos.sum(),
                compactedBytes.sum(), imageLayersCreated.sum(), imagePagesCreated.sum(), imageCreationNanos.sum(),
                gcRuns.sum(), gcNanos.sum(), gcLayersRemoved.sum(), redoCount.sum(), redoNanos.sum(), cache.hits(),
                cache.misses());
    }
}

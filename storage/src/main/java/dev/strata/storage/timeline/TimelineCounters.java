package dev.strata.storage.timeline;

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
}

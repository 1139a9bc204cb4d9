package dev.strata.storage.timeline;

/**
 * Counters and gauges of one timeline for metrics (durations in nanoseconds, totals since the timeline was opened).
 *
 * @param inMemoryLayers     open plus frozen in-memory layers
 * @param inMemoryBytes      their scratch-file bytes plus index estimate
 * @param bytesIngested      encoded value bytes put by ingest
 * @param recordsIngested    records finished by ingest
 * @param compactedBytes     bytes of L0 files compacted into L1
 * @param imagePagesCreated  values written into new image layers
 * @param redoCount          reads that applied records through the redo
 * @param redoNanos          time spent in the redo
 */
public record TimelineStats(int inMemoryLayers, long inMemoryBytes, int l0Layers, long l0Bytes, int l1Layers,
                            long l1Bytes, int imageLayers, long imageBytes, long bytesIngested, long recordsIngested,
                            long flushes, long flushNanos, long compactions, long compactionNanos,
                            long compactedBytes, long imageLayersCreated, long imagePagesCreated,
                            long imageCreationNanos, long gcRuns, long gcNanos, long gcLayersRemoved,
                            long redoCount, long redoNanos, long pageCacheHits, long pageCacheMisses) {
    /** All zero: for timelines that keep no statistics. */
    public static final TimelineStats NONE = new TimelineStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0);
}

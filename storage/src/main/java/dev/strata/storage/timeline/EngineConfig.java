package dev.strata.storage.timeline;

import dev.strata.storage.io.FaultInjector;

import java.time.Clock;
import java.time.Duration;

/**
 * Settings of the layer engine, with Neon's defaults where Neon has the setting. Setters return {@code this} for
 * chaining: {@code new EngineConfig().checkpointDistance(16 << 20).gcHorizon(0)}. A config is read when the
 * {@link dev.strata.storage.tenant.LocalTenantManager} opens; change it before, not after.
 */
public final class EngineConfig {
    private long checkpointDistance = 256L << 20;
    private Duration checkpointTimeout = Duration.ofMinutes(10);
    private int compactionThreshold = 10;
    private int imageCreationThreshold = 3;
    private long compactionTargetSize = 128L << 20;
    private Duration compactionPeriod = Duration.ofSeconds(20);
    private long gcHorizon = 64L << 20;
    private Duration pitrInterval = Duration.ofDays(7);
    private Duration gcPeriod = Duration.ofHours(1);
    private long pageCacheBytes = 64L << 20;
    private long inMemoryTailBytes = Math.min(1L << 30, Runtime.getRuntime().maxMemory() / 4);
    private int maxFrozenLayers = 2;
    private int backgroundThreads = 2;
    private int maxOpenFiles = 1000;
    private Clock clock = Clock.systemUTC();
    private FaultInjector faultInjector = FaultInjector.NONE;
    private boolean fsync = true;

    /**
     * Small limits for tests: 256 KiB layers, compaction at 3 L0s, images at 2 stacked deltas, 64 KiB L1 files and
     * image partitions, 64 KiB GC horizon without PITR, 4 MiB page cache. Background periods stay as they are.
     */
    public EngineConfig withSmallLimitsForTests() {
        checkpointDistance = 256 << 10;
        compactionThreshold = 3;
        imageCreationThreshold = 2;
        compactionTargetSize = 64 << 10;
        gcHorizon = 64 << 10;
        pitrInterval = Duration.ZERO;
        pageCacheBytes = 4 << 20;
        return this;
    }

    /** Size of the open in-memory layer (scratch file plus index estimate) at which it is frozen. */
    public long checkpointDistance() {
        return checkpointDistance;
    }

    public EngineConfig checkpointDistance(long bytes) {
        this.checkpointDistance = positive(bytes, "checkpointDistance");
        return this;
    }

    /** Age at which a non-empty open layer is frozen even when small. */
    public Duration checkpointTimeout() {
        return checkpointTimeout;
    }

    public EngineConfig checkpointTimeout(Duration d) {
        this.checkpointTimeout = d;
        return this;
    }

    /** Number of L0 layers that triggers L0 → L1 compaction. */
    public int compactionThreshold() {
        return compactionThreshold;
    }

    public EngineConfig compactionThreshold(int n) {
        this.compactionThreshold = (int) positive(n, "compactionThreshold");
        return this;
    }

    /** Number of deltas stacked above a key range's newest image that makes image creation re-image it. */
    public int imageCreationThreshold() {
        return imageCreationThreshold;
    }

    public EngineConfig imageCreationThreshold(int n) {
        this.imageCreationThreshold = (int) positive(n, "imageCreationThreshold");
        return this;
    }

    /** Size of the L1 files compaction writes, and of the key ranges (at 8 KiB per key) image creation covers. */
    public long compactionTargetSize() {
        return compactionTargetSize;
    }

    public EngineConfig compactionTargetSize(long bytes) {
        this.compactionTargetSize = positive(bytes, "compactionTargetSize");
        return this;
    }

    /**
     * How often background compaction and image creation look at each timeline (a flush that brings the L0 count
     * to the threshold also starts one at once). Zero turns background compaction off; it still runs on demand.
     */
    public Duration compactionPeriod() {
        return compactionPeriod;
    }

    public EngineConfig compactionPeriod(Duration d) {
        this.compactionPeriod = d;
        return this;
    }

    /** GC keeps at least this much WAL (in LSN bytes) of history below the last record LSN. */
    public long gcHorizon() {
        return gcHorizon;
    }

    public EngineConfig gcHorizon(long bytes) {
        this.gcHorizon = nonNegative(bytes, "gcHorizon");
        return this;
    }

    /** GC keeps at least this much history in time; zero turns the time limit off. */
    public Duration pitrInterval() {
        return pitrInterval;
    }

    public EngineConfig pitrInterval(Duration d) {
        this.pitrInterval = d;
        return this;
    }

    /** How often background GC runs on each timeline. Zero turns background GC off; it still runs on demand. */
    public Duration gcPeriod() {
        return gcPeriod;
    }

    public EngineConfig gcPeriod(Duration d) {
        this.gcPeriod = d;
        return this;
    }

    /** Bytes of layer file blocks kept in memory, shared by all timelines. */
    public long pageCacheBytes() {
        return pageCacheBytes;
    }

    public EngineConfig pageCacheBytes(long bytes) {
        this.pageCacheBytes = bytes;
        return this;
    }

    /**
     * Bytes of in-memory layers' values kept in the heap rather than written to their scratch files, shared by all
     * timelines of the process (default: a quarter of the heap, at most 1 GiB; 0 writes every value to the scratch
     * file). Past it, values go to the scratch files. The process's pool has the largest budget any engine asked
     * for.
     */
    public long inMemoryTailBytes() {
        return inMemoryTailBytes;
    }

    public EngineConfig inMemoryTailBytes(long bytes) {
        this.inMemoryTailBytes = nonNegative(bytes, "inMemoryTailBytes");
        return this;
    }

    /** Frozen layers a timeline may have waiting for their flush before ingest waits (bounds memory). */
    public int maxFrozenLayers() {
        return maxFrozenLayers;
    }

    public EngineConfig maxFrozenLayers(int n) {
        this.maxFrozenLayers = (int) positive(n, "maxFrozenLayers");
        return this;
    }

    /** Threads shared by flushes, compaction and GC of every timeline. */
    public int backgroundThreads() {
        return backgroundThreads;
    }

    public EngineConfig backgroundThreads(int n) {
        this.backgroundThreads = (int) positive(n, "backgroundThreads");
        return this;
    }

    /** Layer files kept open at once (Neon's max_file_descriptors); more are reopened on demand. */
    public int maxOpenFiles() {
        return maxOpenFiles;
    }

    public EngineConfig maxOpenFiles(int n) {
        this.maxOpenFiles = (int) positive(n, "maxOpenFiles");
        return this;
    }

    /** Wall clock for the PITR window, checkpoint timeouts and leases. */
    public Clock clock() {
        return clock;
    }

    public EngineConfig clock(Clock c) {
        this.clock = c;
        return this;
    }

    /** Hook before every durable step (tests simulate crashes with it). */
    public FaultInjector faultInjector() {
        return faultInjector;
    }

    public EngineConfig faultInjector(FaultInjector f) {
        this.faultInjector = f;
        return this;
    }

    /** Whether layer and metadata files are fsynced (on by default). */
    public boolean fsync() {
        return fsync;
    }

    /**
     * Turns fsync off, for tests and benchmarks only: every write still goes through the same steps (and crash
     * simulation still works), but a machine crash can lose or tear files that were reported durable.
     */
    public EngineConfig fsync(boolean on) {
        this.fsync = on;
        return this;
    }

    private static long nonNegative(long v, String name) {
        if (v < 0) {
            throw new IllegalArgumentException(name + " must not be negative: " + v);
        }
        return v;
    }

    private static long positive(long v, String name) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + " must be positive: " + v);
        }
        return v;
    }

    @Override
    public String toString() {
        return "checkpointDistance=" + checkpointDistance + " checkpointTimeout=" + checkpointTimeout
                + " compactionThreshold=" + compactionThreshold + " imageCreationThreshold=" + imageCreationThreshold
                + " compactionTargetSize=" + compactionTargetSize + " compactionPeriod=" + compactionPeriod
                + " gcHorizon=" + gcHorizon + " pitrInterval=" + pitrInterval + " gcPeriod=" + gcPeriod
                + " pageCacheBytes=" + pageCacheBytes + " inMemoryTailBytes=" + inMemoryTailBytes
                + " maxFrozenLayers=" + maxFrozenLayers
                + " backgroundThreads=" + backgroundThreads + " maxOpenFiles=" + maxOpenFiles + " fsync=" + fsync;
    }
}

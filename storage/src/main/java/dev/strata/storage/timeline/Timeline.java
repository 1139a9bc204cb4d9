package dev.strata.storage.timeline;

import dev.strata.storage.key.Key;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * One timeline of a tenant: a history of values by key and LSN, readable at any LSN from {@link #startLsn()} (or the
 * GC cutoff, whichever is higher) up to {@link #lastRecordLsn()}; a branch falls through to its ancestor at
 * {@link #ancestorLsn()}.
 *
 * <p>Writes come from one ingest thread through {@link #writer()}; reads come from any thread and never wait for
 * flushes, compaction or GC.
 */
public interface Timeline {
    String tenantId();

    /** 32 lowercase hex digits. */
    String timelineId();

    /** The parent timeline's id, or null for a root timeline. */
    String ancestorTimelineId();

    /** The branch point in the ancestor (0 for a root timeline). */
    long ancestorLsn();

    /** The first LSN the timeline can be read at (the import's consistent point, or the branch point). */
    long startLsn();

    /** End LSN of the last record committed to the timeline (readers at or below it are served). */
    long lastRecordLsn();

    /** Start LSN of that last record (PostgreSQL's "prev" for a WAL written at {@link #lastRecordLsn()}). */
    long prevRecordLsn();

    /** Everything at or below this LSN is in fsynced layer files and metadata. */
    long diskConsistentLsn();

    /** Reads below this LSN are refused. */
    long gcCutoffLsn();

    TimelineState state();

    /** Why the timeline is broken (what happened and what to do), or null. */
    String brokenReason();

    /** Marks the timeline broken: reads go on, ingest stops, and the reason is shown to users. */
    void setBroken(String reason);

    /** The single writer (ingest). */
    TimelineWriter writer();

    /**
     * The value of {@code key} at {@code lsn}: the newest image at or below it with the records above it applied.
     *
     * @throws dev.strata.storage.KeyNotFoundException      when the key has no version at or below lsn
     * @throws dev.strata.storage.LsnBelowGcCutoffException when lsn is below the GC cutoff
     * @throws dev.strata.storage.CorruptionException       when a layer file fails its checks
     * @throws dev.strata.storage.redo.RedoException         when a record cannot be applied
     */
    byte[] get(Key key, long lsn);

    /** Like {@link #get} but returns null instead of throwing KeyNotFoundException. */
    byte[] getOrNull(Key key, long lsn);

    /**
     * A reader of many keys in ascending order for one thread (a backup reading a run of blocks). Reads answer as
     * {@link #getOrNull} does; this default simply is {@code getOrNull}.
     */
    default Scanner scanner() {
        return this::getOrNull;
    }

    /** {@link #getOrNull}, for keys read in ascending order by one thread; see {@link #scanner()}. */
    @FunctionalInterface
    interface Scanner {
        byte[] getOrNull(Key key, long lsn);
    }

    /** Every key with a version at or below {@code lsn} in [start, end), in key order (ancestor included). */
    List<Key> keys(Key start, Key end, long lsn);

    /**
     * Waits until {@link #lastRecordLsn()} reaches {@code lsn}.
     *
     * @throws TimeoutException naming both LSNs when it does not within the timeout
     */
    void waitForLsn(long lsn, Duration timeout) throws TimeoutException, InterruptedException;

    /** Freezes the open in-memory layer and flushes it to an L0 file now; returns when durable. */
    void checkpoint();

    /** Runs L0 → L1 compaction and image creation now; returns a human-readable summary. */
    String compact();

    /** Runs GC now; returns a human-readable summary (layers removed, new cutoff). */
    String gc();

    /** Keeps {@code lsn} readable by GC until the returned time (ms since epoch). */
    long leaseLsn(long lsn, Duration length);

    /** The layers, newest first: in-memory, frozen, L0, L1, image. */
    List<LayerInfo> layers();

    /** Bytes of layer files on disk. */
    long physicalSize();

    /** String properties kept in the timeline's metadata (e.g. the WAL source); survives restarts. */
    Map<String, String> properties();

    /** Sets a property; durable when this returns. */
    void setProperty(String name, String value);

    /**
     * Counters and gauges for metrics: layer counts and bytes by kind, ingest, flush, compaction, image creation, GC
     * and redo totals. Implementations without statistics return {@link TimelineStats#NONE}.
     */
    default TimelineStats stats() {
        return TimelineStats.NONE;
    }

    /**
     * Sets the state durably, e.g. LOADING while an import fills a new timeline and ACTIVE once it is complete (so a
     * restart in between can tell an unfinished import). BROKEN stops ingest; reads go on.
     *
     * @param reason shown to users when the state is BROKEN, else ignored
     */
    default void setState(TimelineState state, String reason) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot change its state");
    }
}

package dev.strata.storage.timeline;

import dev.strata.storage.LsnBelowGcCutoffException;
import dev.strata.storage.StorageException;
import dev.strata.storage.key.Key;
import dev.strata.storage.key.KeyRange;
import dev.strata.storage.layer.DeltaLayer;
import dev.strata.storage.layer.InMemoryLayer;
import dev.strata.storage.layer.LayerMap;
import dev.strata.storage.layer.PersistentLayer;
import dev.strata.storage.layer.ReconstructState;
import dev.strata.storage.pg.Lsn;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;

/**
 * A timeline stored in a local directory: the layer map, the durable metadata, the read path and the entry points
 * of ingest ({@link LocalTimelineWriter}), flushes ({@link Flusher}), compaction ({@link Compactor},
 * {@link ImageCreator}) and GC ({@link GarbageCollector}).
 *
 * <p>Concurrency: readers take the current {@link LayerMap} snapshot and never lock. Changes to the set of layer
 * files (flush, compaction, GC) are serialised by {@link #metaLock}, which also guards the metadata file; the
 * ingest thread's freeze only swaps the in-memory part of the map, so it never waits for them. Compaction, image
 * creation and GC of one timeline run one at a time under {@link #maintenanceLock}.
 */
public final class LocalTimeline implements Timeline {
    final EngineContext ctx;
    final TimelineCounters counters = new TimelineCounters();
    final ReentrantLock metaLock = new ReentrantLock();
    final ReentrantLock maintenanceLock = new ReentrantLock();
    /** The L1 deltas whose bytes image creation counted last (maintenance lock held); see {@link ImageCreator}. */
    java.util.Set<String> imageCheckedDeltas = java.util.Set.of();
    private final String tenantId;
    private final String timelineId;
    private final Path dir;
    private final LocalTimeline ancestor;
    private final TimelineFamily family;
    private final AtomicReference<LayerMap> layers = new AtomicReference<>();
    private static final java.lang.invoke.VarHandle PREV_RECORD_LSN;

    static {
        try {
            PREV_RECORD_LSN = java.lang.invoke.MethodHandles.lookup().findVarHandle(LocalTimeline.class,
                    "prevRecordLsn", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Object lsnMonitor = new Object();
    private volatile TimelineMetadata meta;
    private volatile long lastRecordLsn;
    private volatile long prevRecordLsn;
    private volatile long gcCutoff;
    private volatile String unreadable;
    private volatile boolean closed;
    /** Threads in {@link #waitForLsn}; volatile so that {@link #advance} reads it without the monitor. */
    private volatile int lsnWaiters;
    private final LocalTimelineWriter writer;
    private final Flusher flusher;
    private final ReadPath reads = new ReadPath(this);

    LocalTimeline(EngineContext ctx, String tenantId, String timelineId, Path dir, TimelineMetadata meta,
                  LocalTimeline ancestor, TimelineFamily family, Collection<PersistentLayer> historic,
                  String unreadable) {
        this.ctx = ctx;
        this.tenantId = tenantId;
        this.timelineId = timelineId;
        this.dir = dir;
        this.meta = meta;
        this.ancestor = ancestor;
        this.family = family;
        this.unreadable = unreadable;
        this.lastRecordLsn = meta.diskConsistentLsn();
        this.prevRecordLsn = meta.prevRecordLsn();
        this.gcCutoff = meta.gcCutoffLsn();
        // A new root timeline takes its import at the start LSN itself; anything else continues above what is
        // durable (a branch's own history starts above the branch point, which belongs to the ancestor).
        long openStart = ancestor == null && historic.isEmpty() && meta.diskConsistentLsn() == meta.startLsn()
                ? meta.startLsn() : meta.diskConsistentLsn() + 1;
        this.writer = new LocalTimelineWriter(this);
        this.layers.set(LayerMap.of(writer.newOpenLayer(openStart), historic));
        this.flusher = new Flusher(this);
    }

    // ---- identity and LSNs

    @Override
    public String tenantId() {
        return tenantId;
    }

    @Override
    public String timelineId() {
        return timelineId;
    }

    @Override
    public String ancestorTimelineId() {
        return meta.ancestorId();
    }

    @Override
    public long ancestorLsn() {
        return meta.ancestorLsn();
    }

    LocalTimeline ancestor() {
        return ancestor;
    }

    @Override
    public long startLsn() {
        return meta.startLsn();
    }

    @Override
    public long lastRecordLsn() {
        return lastRecordLsn;
    }

    @Override
    public long prevRecordLsn() {
        return prevRecordLsn;
    }

    @Override
    public long diskConsistentLsn() {
        return meta.diskConsistentLsn();
    }

    @Override
    public long gcCutoffLsn() {
        return gcCutoff;
    }

    @Override
    public TimelineState state() {
        return meta.state();
    }

    @Override
    public String brokenReason() {
        return meta.brokenReason();
    }

    Path dir() {
        return dir;
    }

    TimelineMetadata metadata() {
        return meta;
    }

    TimelineFamily family() {
        return family;
    }

    LayerMap layerMap() {
        return layers.get();
    }

    void swapLayers(UnaryOperator<LayerMap> change) {
        layers.updateAndGet(change);
    }

    Flusher flusher() {
        return flusher;
    }

    boolean isClosed() {
        return closed;
    }

    /** Called by the writer when a record is finished. */
    void advance(long endLsn, long startLsn) {
        PREV_RECORD_LSN.setRelease(this, startLsn);
        lastRecordLsn = endLsn;
        // Called once per record: the monitor is taken only when someone waits. The volatile write above and this
        // volatile read, against the waiter's volatile increment and then its read of lastRecordLsn, make sure that
        // either this sees the waiter or the waiter sees the new LSN.
        if (lsnWaiters > 0) {
            synchronized (lsnMonitor) {
                lsnMonitor.notifyAll();
            }
        }
    }

    @Override
    public void waitForLsn(long lsn, Duration timeout) throws TimeoutException, InterruptedException {
        if (lastRecordLsn >= lsn) {
            return;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lsnMonitor) {
            lsnWaiters++;
            try {
                while (lastRecordLsn < lsn) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new TimeoutException("timeline " + timelineId + " did not reach LSN " + Lsn.format(lsn)
                                + " within " + timeout + "; it is at " + Lsn.format(lastRecordLsn));
                    }
                    lsnMonitor.wait(Math.max(1, left / 1_000_000));
                }
            } finally {
                lsnWaiters--;
            }
        }
    }

    // ---- state and properties

    @Override
    public void setBroken(String reason) {
        setState(TimelineState.BROKEN, reason);
    }

    /**
     * Sets the state durably (for example LOADING while an import runs, then ACTIVE). Setting BROKEN stops ingest;
     * reads go on.
     */
    @Override
    public void setState(TimelineState state, String reason) {
        updateMetadata(m -> m.withState(state, state == TimelineState.BROKEN ? reason : null), true);
    }

    /** Marks the timeline broken in memory even when the metadata file cannot be written any more. */
    void markBroken(String reason) {
        try {
            setBroken(reason);
        } catch (RuntimeException e) {
            metaLock.lock();
            try {
                meta = meta.withState(TimelineState.BROKEN, reason);
            } finally {
                metaLock.unlock();
            }
        }
    }

    @Override
    public Map<String, String> properties() {
        return meta.properties();
    }

    @Override
    public void setProperty(String name, String value) {
        updateMetadata(m -> m.withProperty(name, value), true);
    }

    /** Applies {@code change} to the metadata and writes it (durably) when {@code write}. */
    TimelineMetadata updateMetadata(UnaryOperator<TimelineMetadata> change, boolean write) {
        metaLock.lock();
        try {
            TimelineMetadata next = change.apply(meta);
            if (write) {
                writeMetadata(next);
            }
            meta = next;
            return next;
        } finally {
            metaLock.unlock();
        }
    }

    /** Writes metadata atomically; the caller holds {@link #metaLock}. */
    void writeMetadata(TimelineMetadata m) {
        ctx.files().replaceAtomically(dir.resolve(TimelineLoader.METADATA_FILE), m.encode(), "metadata");
    }

    /**
     * Replaces historic layers: writes the metadata {@code change} makes (given the new list of layer files), then
     * swaps the layer map. The removed layers are closed and deleted afterwards.
     */
    void commitHistoric(Collection<InMemoryLayer> flushed, Collection<? extends PersistentLayer> remove,
                        Collection<? extends PersistentLayer> add,
                        java.util.function.BiFunction<TimelineMetadata, List<String>, TimelineMetadata> change) {
        metaLock.lock();
        try {
            LayerMap current = layers.get();
            List<String> names = new ArrayList<>();
            for (PersistentLayer l : current.historic()) {
                if (!remove.contains(l)) {
                    names.add(l.name().fileName());
                }
            }
            for (PersistentLayer l : add) {
                names.add(l.name().fileName());
            }
            Collections.sort(names);
            TimelineMetadata next = change.apply(meta, names);
            writeMetadata(next);
            meta = next;
            layers.updateAndGet(m -> m.replace(flushed, remove, add));
        } finally {
            metaLock.unlock();
        }
        for (PersistentLayer l : remove) {
            l.close();
            ctx.files().delete(l.path(), "layer");
        }
        if (!remove.isEmpty()) {
            ctx.files().fsyncDirectory(dir, "layer");
        }
    }

    // ---- reads (the search and reconstruction live in ReadPath)

    @Override
    public byte[] get(Key key, long lsn) {
        return reads.read(key, lsn, true);
    }

    @Override
    public byte[] getOrNull(Key key, long lsn) {
        return reads.read(key, lsn, false);
    }

    /**
     * Reads layer files past the page cache, keeping each file's last few blocks in the scanner, as image creation
     * does: a backup streams through far more layer data than the cache holds, and would otherwise evict what the
     * page service's readers use while spending its time on inserting and evicting blocks it reads once.
     */
    @Override
    public Scanner scanner() {
        ReconstructState.Scan scan = new ReconstructState.Scan();
        return (key, lsn) -> reads.read(key, lsn, false, scan);
    }

    /** Reads without the GC cutoff check, for ingest's read-modify-write and for image creation. */
    byte[] readUnchecked(Key key, long lsn, boolean throwIfMissing) {
        return reads.readUnchecked(key, lsn, throwIfMissing);
    }

    /** Like {@link #readUnchecked(Key, long, boolean)}, for many keys read in order through {@code scan}. */
    byte[] readUnchecked(Key key, long lsn, boolean throwIfMissing, ReconstructState.Scan scan) {
        return reads.readUnchecked(key, lsn, throwIfMissing, scan);
    }

    @Override
    public List<Key> keys(Key start, Key end, long lsn) {
        return reads.keys(new KeyRange(start, end), lsn);
    }

    List<Key> keysUnchecked(LayerMap m, KeyRange range, long lsn) {
        return reads.keysUnchecked(m, range, lsn);
    }

    /** True when GC keeps {@code lsn} readable although it is below the cutoff: a live lease or a branch point. */
    public boolean isRetained(long lsn) {
        Long until = meta.leases().get(lsn);
        if (until != null && until > ctx.config().clock().millis()) {
            return true;
        }
        return family.branchPointsOf(timelineId).contains(lsn);
    }

    /** Why the timeline cannot be read (a layer file failed to open), or null. */
    String unreadable() {
        return unreadable;
    }

    // ---- ingest

    @Override
    public TimelineWriter writer() {
        return writer;
    }

    /** Freezes the open layer when it has been open longer than checkpoint_timeout (the scheduler's tick). */
    public void freezeIfOld() {
        writer.freezeIfOld();
    }

    // ---- maintenance

    @Override
    public void checkpoint() {
        writer.freezeForCheckpoint();
        flusher.awaitAllFlushed();
    }

    @Override
    public String compact() {
        maintenanceLock.lock();
        try {
            String l0 = new Compactor(this).compactL0(true);
            String images = new ImageCreator(this).createImages();
            return l0 + "; " + images;
        } finally {
            maintenanceLock.unlock();
        }
    }

    /** L0 → L1 compaction of whatever L0 layers there are, now (without image creation). */
    public String compactL0() {
        maintenanceLock.lock();
        try {
            return new Compactor(this).compactL0(true);
        } finally {
            maintenanceLock.unlock();
        }
    }

    /** Image creation now, for the key ranges that reach image_creation_threshold (without L0 compaction). */
    public String createImages() {
        maintenanceLock.lock();
        try {
            return new ImageCreator(this).createImages();
        } finally {
            maintenanceLock.unlock();
        }
    }

    /**
     * Background compaction (called by the engine's scheduler): L0 → L1 when due, then image creation; skipped when
     * another run holds the lock.
     */
    public void compactInBackground() {
        if (closed || !maintenanceLock.tryLock()) {
            return;
        }
        try {
            if (!closed) {
                new Compactor(this).compactL0(false);
                new ImageCreator(this).createImages();
            }
        } finally {
            maintenanceLock.unlock();
        }
    }

    @Override
    public String gc() {
        maintenanceLock.lock();
        try {
            return new GarbageCollector(this).run();
        } finally {
            maintenanceLock.unlock();
        }
    }

    /** Background GC (called by the engine's scheduler); skipped when compaction or GC is running. */
    public void gcInBackground() {
        if (closed || !maintenanceLock.tryLock()) {
            return;
        }
        try {
            if (!closed) {
                new GarbageCollector(this).run();
            }
        } finally {
            maintenanceLock.unlock();
        }
    }

    void setGcCutoff(long cutoff) {
        this.gcCutoff = cutoff;
    }

    @Override
    public long leaseLsn(long lsn, Duration length) {
        synchronized (family.gcLock()) {
            if (lsn < meta.startLsn()) {
                throw new StorageException("cannot lease LSN " + Lsn.format(lsn) + ": below the start LSN "
                        + Lsn.format(meta.startLsn()) + " of timeline " + timelineId);
            }
            if (lsn < gcCutoff && !isRetained(lsn)) {
                throw new LsnBelowGcCutoffException(lsn, gcCutoff);
            }
            long until = ctx.config().clock().millis() + length.toMillis();
            updateMetadata(m -> {
                Map<Long, Long> l = new TreeMap<>(m.leases());
                l.merge(lsn, until, Math::max);
                return m.withLeases(l);
            }, true);
            return meta.leases().get(lsn);
        }
    }

    @Override
    public List<LayerInfo> layers() {
        LayerMap m = layers.get();
        List<LayerInfo> out = new ArrayList<>();
        if (m.open() != null) {
            LayerInfo i = m.open().info();
            out.add(new LayerInfo(i.name(), i.kind(), i.keyStart(), i.keyEnd(), i.lsnStart(),
                    Math.max(i.lsnStart(), lastRecordLsn + 1), i.sizeBytes()));
        }
        m.frozen().forEach(f -> out.add(f.info()));
        List<PersistentLayer> l0 = new ArrayList<>();
        List<PersistentLayer> l1 = new ArrayList<>();
        for (DeltaLayer d : m.deltas()) {
            (d.isL0() ? l0 : l1).add(d);
        }
        l0.forEach(l -> out.add(l.info()));
        l1.forEach(l -> out.add(l.info()));
        m.images().forEach(l -> out.add(l.info()));
        return out;
    }

    @Override
    public long physicalSize() {
        long n = 0;
        for (PersistentLayer l : layers.get().historic()) {
            n += l.sizeBytes();
        }
        return n;
    }

    @Override
    public TimelineStats stats() {
        return counters.snapshot(layers.get(), ctx.cache());
    }

    // ---- lifecycle

    /**
     * Stops the timeline: with {@code flush}, freezes and flushes what ingest committed and waits for running
     * compaction or GC; without, just releases files (what a crash leaves behind).
     */
    public void shutdownTimeline(boolean flush) {
        try {
            if (flush && unreadable == null && meta.state() != TimelineState.BROKEN) {
                writer.freezeForClose();
                flusher.awaitAllFlushed();
            }
        } finally {
            closed = true;
            writer.close();
            if (flush) {
                // Let a running compaction or GC finish its swap before the files go away.
                maintenanceLock.lock();
                maintenanceLock.unlock();
            }
            LayerMap m = layers.getAndUpdate(LayerMap::withoutOpen);
            if (m.open() != null) {
                m.open().closeAndDelete();
            }
            for (InMemoryLayer f : m.frozen()) {
                f.closeAndDelete();
            }
            for (PersistentLayer l : m.historic()) {
                l.close();
            }
        }
    }

    @Override
    public String toString() {
        return "timeline " + tenantId + "/" + timelineId;
    }
}

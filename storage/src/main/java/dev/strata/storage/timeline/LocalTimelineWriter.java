package dev.strata.storage.timeline;

import dev.strata.storage.StorageException;
import dev.strata.storage.key.Key;
import dev.strata.storage.layer.InMemoryLayer;
import dev.strata.storage.pg.Lsn;
import dev.strata.storage.value.Value;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Ingest's side of a {@link LocalTimeline}: puts go straight into the open in-memory layer (readers at or below the
 * last record LSN do not see them, since they sit above it); {@link #finishRecord} advances the LSNs and freezes the
 * open layer when it is big or old enough. Freezes happen only between records, so the frozen layer ends at a
 * record's end LSN, which becomes the disk-consistent LSN when its flush completes.
 *
 * <p>The import phase is special: values put at the timeline's start LSN (which is already the last record LSN)
 * are never frozen automatically, since more may follow at the same LSN; the first value above the start LSN
 * freezes them on their own, so the flush can write them as an image layer.
 */
final class LocalTimelineWriter implements TimelineWriter {
    private final LocalTimeline tl;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition recordFinished = lock.newCondition();
    private final AtomicLong ephemeralSeq = new AtomicLong();
    /** Encoded bytes put since the last finished record (lock held). */
    private long bytesOfRecord;
    private boolean recordOpen;
    private boolean freezeRequested;
    private long maxPutLsn = -1;
    private boolean closed;

    LocalTimelineWriter(LocalTimeline tl) {
        this.tl = tl;
    }

    InMemoryLayer newOpenLayer(long lsnStart) {
        return new InMemoryLayer(tl.dir().resolve(TimelineLoader.EPHEMERAL_PREFIX + ephemeralSeq.incrementAndGet()),
                lsnStart, tl.ctx.tails());
    }

    /**
     * Holds the lock for the whole batch; put and finishRecord then skip taking it. Each lock and unlock is an atomic
     * instruction that waits for the stores of the values just copied to drain, and ingest made two or three of
     * them per record.
     */
    @Override
    public void batch(Runnable work) {
        lock.lock();
        try {
            work.run();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void put(Key key, long lsn, Value value) {
        boolean batched = lock.isHeldByCurrentThread();
        if (!batched) {
            lock.lock();
        }
        try {
            checkWritable();
            InMemoryLayer open = tl.layerMap().open();
            if (lsn < open.lsnStart()) {
                throw new IllegalArgumentException("put of " + key + " at LSN " + Lsn.format(lsn)
                        + " is below the open layer's start " + Lsn.format(open.lsnStart())
                        + ": that LSN is already frozen or durable");
            }
            if (lsn < maxPutLsn) {
                throw new IllegalArgumentException("put of " + key + " at LSN " + Lsn.format(lsn)
                        + " after a put at " + Lsn.format(maxPutLsn) + ": LSNs must not decrease");
            }
            long last = tl.lastRecordLsn();
            if (lsn > last && !recordOpen && last == tl.startLsn() && !open.isEmpty()
                    && open.maxLsn() == tl.startLsn()) {
                open = freezeLocked();
            }
            open.put(key, lsn, value);
            maxPutLsn = lsn;
            recordOpen |= lsn > last;
            bytesOfRecord += value.encodedSize();
        } finally {
            if (!batched) {
                lock.unlock();
            }
        }
    }

    @Override
    public void finishRecord(long startLsn, long endLsn) {
        boolean waitForFlush;
        boolean batched = lock.isHeldByCurrentThread();
        if (!batched) {
            lock.lock();
        }
        try {
            checkWritable();
            long last = tl.lastRecordLsn();
            if (endLsn < last) {
                throw new IllegalArgumentException("record ending at " + Lsn.format(endLsn)
                        + " is behind the last record LSN " + Lsn.format(last));
            }
            if (maxPutLsn > endLsn) {
                throw new IllegalArgumentException("record ending at " + Lsn.format(endLsn)
                        + " has a value put at the later LSN " + Lsn.format(maxPutLsn));
            }
            tl.advance(endLsn, startLsn);
            recordOpen = false;
            // one counter update per record rather than per put: each is an atomic instruction
            tl.counters.recordsIngested.increment();
            tl.counters.bytesIngested.add(bytesOfRecord);
            bytesOfRecord = 0;
            InMemoryLayer open = tl.layerMap().open();
            if (freezeRequested || (endLsn > last && dueForFreeze(open, endLsn))) {
                freezeLocked();
            }
            recordFinished.signalAll();
            waitForFlush = tl.layerMap().frozen().size() >= tl.ctx.config().maxFrozenLayers();
        } finally {
            if (!batched) {
                lock.unlock();
            }
        }
        if (waitForFlush) {
            // Backpressure: frozen layers hold memory until flushed; ingest waits rather than piling them up (in a
            // batch, with the lock held: the flush never takes it).
            tl.flusher().awaitFrozenBelow(tl.ctx.config().maxFrozenLayers());
        }
    }

    private boolean dueForFreeze(InMemoryLayer open, long last) {
        if (open.isEmpty() || last == tl.startLsn()) {
            return false;
        }
        EngineConfig c = tl.ctx.config();
        return open.estimatedSize() >= c.checkpointDistance()
                || last - open.lsnStart() >= c.checkpointDistance()
                || System.nanoTime() - open.createdNanos() >= c.checkpointTimeout().toNanos();
    }

    @Override
    public byte[] getPending(Key key, long lsn) {
        return tl.readUnchecked(key, lsn, false);
    }

    /** Freezes the open layer at the last record LSN; the caller holds the lock and no record is open. */
    private InMemoryLayer freezeLocked() {
        InMemoryLayer open = tl.layerMap().open();
        long end = tl.lastRecordLsn() + 1;
        open.freeze(end, tl.prevRecordLsn());
        InMemoryLayer next = newOpenLayer(end);
        tl.swapLayers(m -> m.freeze(next));
        freezeRequested = false;
        tl.flusher().kick();
        return next;
    }

    /** Freezes for {@link Timeline#checkpoint()}: now when between records, else at the end of the current one. */
    void freezeForCheckpoint() {
        lock.lock();
        try {
            checkWritable();
            if (!recordOpen) {
                if (!tl.layerMap().open().isEmpty()) {
                    freezeLocked();
                }
                return;
            }
            freezeRequested = true;
            while (freezeRequested && !closed) {
                if (!recordFinished.await(100, TimeUnit.MILLISECONDS) && tl.state() == TimelineState.BROKEN) {
                    throw new StorageException("timeline " + tl.timelineId() + " is broken: " + tl.brokenReason());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("checkpoint of timeline " + tl.timelineId() + " was interrupted", e);
        } finally {
            lock.unlock();
        }
    }

    /** Freezes an idle open layer that has been open longer than checkpoint_timeout (background tick). */
    void freezeIfOld() {
        if (!lock.tryLock()) {
            return;
        }
        try {
            InMemoryLayer open = tl.layerMap().open();
            if (!closed && !recordOpen && open != null && !open.isEmpty() && tl.lastRecordLsn() != tl.startLsn()
                    && tl.state() != TimelineState.BROKEN
                    && System.nanoTime() - open.createdNanos() >= tl.ctx.config().checkpointTimeout().toNanos()) {
                freezeLocked();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Freezes for shutdown: whatever ingest committed; values of an unfinished record lie above the freeze point
     * and are left out by the flush.
     */
    void freezeForClose() {
        lock.lock();
        try {
            InMemoryLayer open = tl.layerMap().open();
            if (!closed && open != null && !open.isEmpty() && tl.state() != TimelineState.BROKEN
                    && tl.lastRecordLsn() + 1 > open.lsnStart()) {
                recordOpen = false;
                freezeLocked();
            }
            closed = true;
        } finally {
            lock.unlock();
        }
    }

    void close() {
        lock.lock();
        try {
            closed = true;
            recordFinished.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void checkWritable() {
        if (closed || tl.isClosed()) {
            throw new StorageException("timeline " + tl.timelineId() + " is closed");
        }
        if (tl.state() == TimelineState.BROKEN) {
            throw new StorageException("timeline " + tl.timelineId() + " is broken and takes no more WAL: "
                    + tl.brokenReason());
        }
    }
}

package dev.strata.storage.timeline;

import dev.strata.storage.StorageException;
import dev.strata.storage.key.KeyRange;
import dev.strata.storage.layer.DeltaLayerWriter;
import dev.strata.storage.layer.ImageLayerWriter;
import dev.strata.storage.layer.InMemoryLayer;
import dev.strata.storage.layer.PersistentLayer;
import dev.strata.storage.pg.Lsn;
import dev.strata.storage.value.Value;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Writes frozen in-memory layers to disk, oldest first, one at a time per timeline: each becomes an L0 delta file
 * (or, for the values of an import at the start LSN of a root timeline, an image layer over every key), and only
 * then does the metadata move the disk-consistent LSN to the layer's end. A failure marks the timeline broken:
 * ingest stops, and what was not flushed is re-ingested after a restart.
 */
final class Flusher {
    private static final Logger log = LoggerFactory.getLogger(Flusher.class);

    private final LocalTimeline tl;
    private final Object monitor = new Object();
    private boolean running;
    private Throwable failure;

    Flusher(LocalTimeline tl) {
        this.tl = tl;
    }

    /** Starts a flush pass in the background unless one is running. */
    void kick() {
        synchronized (monitor) {
            if (running || failure != null) {
                return;
            }
            running = true;
        }
        try {
            tl.ctx.flushes().execute(this::run);
        } catch (RuntimeException e) {
            synchronized (monitor) {
                running = false;
                failure = e;
                monitor.notifyAll();
            }
        }
    }

    private void run() {
        try {
            while (true) {
                List<InMemoryLayer> frozen = tl.layerMap().frozen();
                if (frozen.isEmpty() || tl.isClosed()) {
                    break;
                }
                flush(frozen.get(frozen.size() - 1));
                synchronized (monitor) {
                    monitor.notifyAll();
                }
            }
        } catch (Throwable t) {
            log.error("flush of {} failed", tl, t);
            synchronized (monitor) {
                failure = t;
            }
            tl.markBroken("flushing an in-memory layer failed: " + t + "; restart to re-ingest from "
                    + Lsn.format(tl.diskConsistentLsn()));
        } finally {
            boolean again;
            synchronized (monitor) {
                running = false;
                monitor.notifyAll();
                again = failure == null && !tl.isClosed() && !tl.layerMap().frozen().isEmpty();
            }
            if (again) {
                kick();
            }
        }
    }

    private void flush(InMemoryLayer f) {
        long t0 = System.nanoTime();
        PersistentLayer out = write(f);
        List<PersistentLayer> add = out == null ? List.of() : List.of(out);
        long disk = f.lsnEnd() - 1;
        long prev = f.prevRecordLsnAtFreeze();
        long now = tl.ctx.config().clock().millis();
        tl.commitHistoric(List.of(f), List.of(), add, (m, names) ->
                m.withDiskConsistent(disk, prev, names).withLsnTimes(LsnTimes.add(m.lsnTimes(), now, disk,
                        tl.ctx.config().pitrInterval())));
        f.closeAndDelete();
        tl.counters.flushes.increment();
        tl.counters.flushNanos.add(System.nanoTime() - t0);
        if (tl.ctx.backgroundCompaction() && tl.layerMap().l0s().size() >= tl.ctx.config().compactionThreshold()) {
            tl.ctx.maintenance().execute(tl::compactInBackground);
        }
    }

    /** Writes the layer's committed versions to a file, or returns null when it has none. */
    private PersistentLayer write(InMemoryLayer f) {
        boolean importImage = f.onlyImages() && tl.ancestor() == null && f.lsnStart() == tl.startLsn()
                && f.lsnEnd() == tl.startLsn() + 1;
        if (importImage) {
            try (ImageLayerWriter w = new ImageLayerWriter(tl.dir(), tl.ctx.files())) {
                f.forEachVersion((key, keyBytes, lsn, encoded) -> w.add(keyBytes, payloadOf(encoded)));
                return w.finish(KeyRange.ALL, f.lsnStart(), tl.ctx.layerFiles());
            }
        }
        // Not the writer's write-behind thread: its early write-back (fsync on) during ingest made the concurrent
        // scratch-file writes several times dearer in CPU than the thread saved.
        // Around the page cache: an L0 as large as the in-memory layer is read again only by compaction, and
        // writing it through the cache copied every byte into pages that had to be found first (most of this
        // thread's kernel time).
        try (DeltaLayerWriter w = new DeltaLayerWriter(tl.dir(), tl.ctx.files(), false, false, false, true)) {
            f.forEachVersion((key, keyBytes, lsn, encoded) -> w.add(keyBytes, lsn, encoded));
            if (w.isEmpty()) {
                return null;
            }
            return w.finish(KeyRange.ALL, f.lsnStart(), f.lsnEnd(), tl.ctx.layerFiles());
        }
    }

    private static byte[] payloadOf(byte[] encoded) {
        Value v = Value.decode(encoded, 0, encoded.length);
        return v.payload();
    }

    /** Waits until every frozen layer is flushed; throws when a flush failed. */
    void awaitAllFlushed() {
        awaitFrozenBelow(1);
    }

    /** Waits until fewer than {@code n} frozen layers wait for their flush. */
    void awaitFrozenBelow(int n) {
        synchronized (monitor) {
            while (true) {
                if (failure != null) {
                    throw new StorageException("timeline " + tl.timelineId() + ": flush failed: " + failure,
                            failure);
                }
                if (tl.layerMap().frozen().size() < n) {
                    return;
                }
                if (!running) {
                    kick(); // re-entrant: starts a pass if frozen layers wait and none runs
                }
                try {
                    monitor.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new StorageException("waiting for a flush of timeline " + tl.timelineId()
                            + " was interrupted", e);
                }
            }
        }
    }
}

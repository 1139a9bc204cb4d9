package dev.strata.storage.timeline;

import dev.strata.storage.CorruptionException;
import dev.strata.storage.KeyNotFoundException;
import dev.strata.storage.LsnBelowGcCutoffException;
import dev.strata.storage.StorageException;
import dev.strata.storage.key.Key;
import dev.strata.storage.key.KeyRange;
import dev.strata.storage.layer.LayerMap;
import dev.strata.storage.layer.LayerRetiredException;
import dev.strata.storage.layer.ReconstructState;
import dev.strata.storage.pg.Lsn;
import dev.strata.storage.redo.RecordBatch;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The read path of a {@link LocalTimeline}: takes the layer-map snapshot, then checks the LSN against the start and
 * the GC cutoff (in that order: GC raises the cutoff before it swaps the map, so a reader that sees a map without a
 * collected layer also sees the cutoff that refuses it), gathers versions newest first through this timeline's
 * layers and then its ancestors' at their branch points, and hands image and records to the redo. A layer replaced
 * while being read makes the read start over on the current snapshot.
 *
 * <p>The records go into a {@link RecordBatch} that each thread reuses from read to read (the redo does not keep
 * it, and the page it returns is its own array), so a read allocates nothing per record; a batch grown past
 * {@link #KEEP_BATCH_BYTES} is dropped after its read rather than kept by the thread.
 */
final class ReadPath {
    private static final int READ_RETRIES = 8;
    private static final int KEEP_BATCH_BYTES = 1 << 20;
    /** The thread's idle batch, or null while a read of this thread holds it. */
    private static final ThreadLocal<RecordBatch[]> BATCHES = ThreadLocal.withInitial(() -> new RecordBatch[1]);

    private final LocalTimeline tl;

    ReadPath(LocalTimeline tl) {
        this.tl = tl;
    }

    byte[] read(Key key, long lsn, boolean throwIfMissing) {
        return read(key, lsn, throwIfMissing, null);
    }

    /** Like {@link #read(Key, long, boolean)}, reading layer files through {@code scan} when not null. */
    byte[] read(Key key, long lsn, boolean throwIfMissing, ReconstructState.Scan scan) {
        for (int attempt = 0; ; attempt++) {
            LayerMap m = tl.layerMap();
            checkReadable(lsn);
            try {
                return collectAndReconstruct(m, key, lsn, scan, throwIfMissing);
            } catch (LayerRetiredException e) {
                if (attempt == READ_RETRIES) {
                    throw new StorageException("timeline " + tl.timelineId()
                            + ": layers kept changing under a read of " + key + " at " + Lsn.format(lsn), e);
                }
            }
        }
    }

    byte[] readUnchecked(Key key, long lsn, boolean throwIfMissing) {
        return readUnchecked(key, lsn, throwIfMissing, null);
    }

    /** Like {@link #readUnchecked(Key, long, boolean)}, reading layer files through {@code scan} when not null. */
    byte[] readUnchecked(Key key, long lsn, boolean throwIfMissing, ReconstructState.Scan scan) {
        for (int attempt = 0; ; attempt++) {
            try {
                return collectAndReconstruct(tl.layerMap(), key, lsn, scan, throwIfMissing);
            } catch (LayerRetiredException e) {
                if (attempt == READ_RETRIES) {
                    throw e;
                }
            }
        }
    }

    private void checkReadable(long lsn) {
        if (tl.unreadable() != null) {
            throw new CorruptionException("timeline " + tl.timelineId() + " cannot be read: " + tl.unreadable());
        }
        if (lsn < tl.startLsn()) {
            throw new StorageException("LSN " + Lsn.format(lsn) + " is below the start LSN "
                    + Lsn.format(tl.startLsn()) + " of timeline " + tl.timelineId() + "; read at or above it");
        }
        long cutoff = tl.gcCutoffLsn();
        if (lsn < cutoff && !tl.isRetained(lsn)) {
            throw new LsnBelowGcCutoffException(lsn, cutoff);
        }
    }

    private byte[] collectAndReconstruct(LayerMap m, Key key, long lsn, ReconstructState.Scan scan,
            boolean throwIfMissing) {
        RecordBatch[] slot = BATCHES.get();
        RecordBatch batch = slot[0];
        slot[0] = null;
        if (batch == null) {
            batch = new RecordBatch();
        }
        try {
            return reconstruct(collect(m, key, lsn, scan, batch), lsn, throwIfMissing);
        } finally {
            if (batch.capacity() <= KEEP_BATCH_BYTES) {
                batch.clear();
                slot[0] = batch;
            }
        }
    }

    private ReconstructState collect(LayerMap m, Key key, long lsn, ReconstructState.Scan scan, RecordBatch batch) {
        ReconstructState st = new ReconstructState(key, scan, batch);
        long cont = m.search(st, lsn);
        LocalTimeline t = tl;
        while (cont >= 0 && t.ancestor() != null) {
            long at = Math.min(cont, t.ancestorLsn());
            t = t.ancestor();
            if (t.unreadable() != null) {
                throw new CorruptionException("ancestor timeline " + t.timelineId() + " cannot be read: "
                        + t.unreadable());
            }
            cont = t.layerMap().search(st, at);
        }
        return st;
    }

    private byte[] reconstruct(ReconstructState st, long lsn, boolean throwIfMissing) {
        if (!st.found()) {
            if (!throwIfMissing) {
                return null;
            }
            throw new KeyNotFoundException("key " + st.key() + " has no version at or below LSN " + Lsn.format(lsn)
                    + " in timeline " + tl.timelineId());
        }
        RecordBatch records = st.records();
        if (records.isEmpty()) {
            return st.image();
        }
        int oldest = records.size() - 1;
        boolean willInit = records.willInit(oldest);
        byte[] base = willInit ? null : st.image();
        if (base == null && !willInit) {
            throw new StorageException("key " + st.key() + " at LSN " + Lsn.format(lsn) + " in timeline "
                    + tl.timelineId() + ": no base image below the record at " + Lsn.format(records.lsn(oldest))
                    + ", which is not will-init");
        }
        long t0 = System.nanoTime();
        byte[] page = tl.ctx.redo().reconstruct(st.key(), lsn, base, base == null ? 0 : st.imageLsn(), records);
        tl.counters.redoNanos.add(System.nanoTime() - t0);
        tl.counters.redoCount.increment();
        return page;
    }

    List<Key> keys(KeyRange range, long lsn) {
        for (int attempt = 0; ; attempt++) {
            LayerMap m = tl.layerMap();
            checkReadable(lsn);
            try {
                return keysUnchecked(m, range, lsn);
            } catch (LayerRetiredException e) {
                if (attempt == READ_RETRIES) {
                    throw e;
                }
            }
        }
    }

    List<Key> keysUnchecked(LayerMap m, KeyRange range, long lsn) {
        TreeSet<Key> out = new TreeSet<>();
        LocalTimeline t = tl;
        long at = lsn;
        LayerMap map = m;
        while (true) {
            boolean complete = map.forEachKey(range, at, out::add);
            if (complete || t.ancestor() == null) {
                break;
            }
            at = Math.min(at, t.ancestorLsn());
            t = t.ancestor();
            map = t.layerMap();
        }
        return new ArrayList<>(out);
    }
}

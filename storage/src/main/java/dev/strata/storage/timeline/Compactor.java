package dev.strata.storage.timeline;

import dev.strata.storage.key.Key;
import dev.strata.storage.key.KeyRange;
import dev.strata.storage.layer.DeltaLayer;
import dev.strata.storage.layer.DeltaLayerWriter;
import dev.strata.storage.layer.PersistentLayer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;

/**
 * L0 → L1 compaction: once a timeline has compaction_threshold L0 files, merges the oldest contiguous run of them
 * by (key, LSN) into L1 files of about compaction_target_size, each covering a key range for the whole LSN range of
 * the inputs. All versions of a key go to the same output file, and consecutive outputs abut
 * ({@code [first key of file i, first key of file i+1)}), so the layer map finds exactly one L1 per key for that LSN
 * range. The swap of inputs for outputs is one metadata write and one layer-map swap; readers in between read the
 * inputs, which stay valid until then.
 */
final class Compactor {
    private final LocalTimeline tl;

    Compactor(LocalTimeline tl) {
        this.tl = tl;
    }

    /**
     * @param onDemand compact whatever L0s there are (at least two), not only at the threshold
     * @return what was done
     */
    String compactL0(boolean onDemand) {
        List<DeltaLayer> l0s = tl.layerMap().l0s();
        int threshold = tl.ctx.config().compactionThreshold();
        if (l0s.size() < (onDemand ? 1 : threshold)) {
            return "L0 compaction: " + l0s.size() + " L0 layers, below the threshold of " + threshold;
        }
        List<DeltaLayer> inputs = pickInputs(l0s);
        long t0 = System.nanoTime();
        long inBytes = 0;
        for (DeltaLayer d : inputs) {
            inBytes += d.sizeBytes();
        }
        List<PersistentLayer> outputs = merge(inputs);
        try {
            tl.commitHistoric(List.of(), inputs, outputs, TimelineMetadata::withLayers);
        } catch (RuntimeException | Error e) {
            // Not deleted: the metadata may list them already; if not, the next start removes them.
            outputs.forEach(PersistentLayer::close);
            throw e;
        }
        tl.counters.compactions.increment();
        tl.counters.compactionNanos.add(System.nanoTime() - t0);
        tl.counters.compactedBytes.add(inBytes);
        return "L0 compaction: " + inputs.size() + " L0 layers (" + inBytes + " bytes) into " + outputs.size()
                + " L1 layers";
    }

    /** The oldest L0s forming a contiguous LSN chain, up to a byte budget (but at least the threshold count). */
    private List<DeltaLayer> pickInputs(List<DeltaLayer> l0s) {
        EngineConfig c = tl.ctx.config();
        long budget = Math.max(c.checkpointDistance(), c.compactionTargetSize()) * Math.max(10, c.compactionThreshold());
        List<DeltaLayer> out = new ArrayList<>();
        long bytes = 0;
        for (DeltaLayer d : l0s) {
            if (!out.isEmpty() && (d.lsnStart() != out.get(out.size() - 1).lsnEnd()
                    || (bytes >= budget && out.size() >= c.compactionThreshold()))) {
                break;
            }
            out.add(d);
            bytes += d.sizeBytes();
        }
        return out;
    }

    private List<PersistentLayer> merge(List<DeltaLayer> inputs) {
        long lsnStart = inputs.get(0).lsnStart();
        long lsnEnd = inputs.get(inputs.size() - 1).lsnEnd();
        long target = tl.ctx.config().compactionTargetSize();
        PriorityQueue<DeltaLayer.Cursor> heap = new PriorityQueue<>(DeltaLayer.Cursor::compareKeyLsn);
        for (DeltaLayer d : inputs) {
            DeltaLayer.Cursor c = d.cursor();
            if (c.next()) {
                heap.add(c);
            }
        }
        List<PersistentLayer> outputs = new ArrayList<>();
        DeltaLayerWriter w = null;
        Key fileStart = null;
        byte[] lastKey = null;
        try {
            while (!heap.isEmpty()) {
                DeltaLayer.Cursor c = heap.poll();
                byte[] key = c.keyBytes();
                boolean newKey = lastKey == null || !Arrays.equals(key, lastKey);
                if (w != null && newKey && w.approximateSize() >= target) {
                    Key next = Key.fromBytes(key, 0);
                    outputs.add(w.finish(new KeyRange(fileStart, next), lsnStart, lsnEnd, tl.ctx.layerFiles()));
                    w = null;
                }
                if (w == null) {
                    w = new DeltaLayerWriter(tl.dir(), tl.ctx.files(), true, tl.ctx.config().fsync(), true);
                    fileStart = Key.fromBytes(key, 0);
                }
                w.add(key, c.lsn(), c.rawValue());
                lastKey = key;
                if (c.next()) {
                    heap.add(c);
                }
            }
            if (w != null) {
                Key last = Key.fromBytes(lastKey, 0);
                Key end = last.equals(Key.MAX) ? Key.MAX : last.next();
                outputs.add(w.finish(new KeyRange(fileStart, end), lsnStart, lsnEnd, tl.ctx.layerFiles()));
                w = null;
            }
            return outputs;
        } catch (RuntimeException | Error e) {
            discard(tl, w, outputs, e);
            throw e;
        }
    }

    /** Removes what a failed compaction wrote; files it cannot remove are not in the metadata and go at the next start. */
    static void discard(LocalTimeline tl, AutoCloseable writer, List<PersistentLayer> outputs, Throwable cause) {
        try {
            if (writer != null) {
                writer.close();
            }
            for (PersistentLayer l : outputs) {
                l.close();
                tl.ctx.files().delete(l.path(), "compaction");
            }
        } catch (Exception e) {
            cause.addSuppressed(e);
        }
    }
}

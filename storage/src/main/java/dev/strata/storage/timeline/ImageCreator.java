package dev.strata.storage.timeline;

import dev.strata.storage.key.Key;
import dev.strata.storage.key.KeyRange;
import dev.strata.storage.layer.DeltaLayer;
import dev.strata.storage.layer.ImageLayer;
import dev.strata.storage.layer.ImageLayerWriter;
import dev.strata.storage.layer.LayerMap;
import dev.strata.storage.layer.ReconstructState;
import dev.strata.storage.pg.Lsn;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Image layer creation. The key space at the disk-consistent LSN is cut into partitions of about
 * compaction_target_size / 8 KiB keys, contiguous from {@link Key#MIN} to {@link Key#MAX} (gaps included, so that
 * images of every partition cover everything). A partition is re-imaged, at that LSN, when either
 * <ul>
 *   <li>at least image_creation_threshold L1 deltas overlap it above its image floor (the LSN from which images
 *       cover all of it), or</li>
 *   <li>the values those L1 deltas hold for its keys above the floor add up to at least half the bytes of its image
 *       (8 KiB per key): a read there goes through about as many bytes as an image of the page would take, and
 *       then replays them. This is what a bulk load that arrived as WAL looks like (each page built by its own
 *       records, a single stack of deltas over it): without it, every backup and every first read of such pages
 *       would replay them. Scattered updates over a large relation stay far below it, and the images it makes
 *       cost at most twice the delta bytes that triggered them.</li>
 * </ul>
 * The new image holds every key of the partition that exists at that LSN, reconstructed through the read path and
 * the redo. The byte count reads the L1 deltas' indexes, so it is taken only when the set of L1 deltas changed since
 * the last count.
 *
 * <p>Keys are read in ascending order through a {@link ReconstructState.Scan}, which reads layer blocks from disk
 * and keeps each layer's last few, so every source block is read about once and the page cache is left to the
 * readers. The new file is written by a write-behind thread while the next pages are rebuilt, and written back to
 * disk as it grows, so that its final fsync is short.
 */
final class ImageCreator {
    static final int PAGE_SIZE = 8192;

    private final LocalTimeline tl;

    ImageCreator(LocalTimeline tl) {
        this.tl = tl;
    }

    String createImages() {
        long imageLsn = tl.diskConsistentLsn();
        LayerMap m = tl.layerMap();
        int threshold = tl.ctx.config().imageCreationThreshold();
        String nothing = "image creation: no key range has " + threshold + " deltas or half its image's bytes in "
                + "deltas above its image";
        if (imageLsn < tl.startLsn()) {
            return nothing;
        }
        Set<String> l1 = new HashSet<>();
        for (DeltaLayer d : m.deltas()) {
            if (!d.isL0()) {
                l1.add(d.name().fileName());
            }
        }
        boolean stacked = stackedAbove(m, KeyRange.ALL, ImageCoverage.floor(KeyRange.ALL, m.images())) >= threshold;
        boolean countBytes = !l1.equals(tl.imageCheckedDeltas);
        if (!stacked && !countBytes) {
            return nothing;
        }
        long t0 = System.nanoTime();
        List<Key> keys = tl.keysUnchecked(m, KeyRange.ALL, imageLsn);
        int perPartition = (int) Math.max(1, tl.ctx.config().compactionTargetSize() / PAGE_SIZE);
        List<Partition> parts = new ArrayList<>();
        for (int from = 0; from < Math.max(1, keys.size()); from += perPartition) {
            int to = Math.min(keys.size(), from + perPartition);
            KeyRange range = new KeyRange(from == 0 ? Key.MIN : keys.get(from),
                    to >= keys.size() ? Key.MAX : keys.get(to));
            parts.add(new Partition(range, from, to, ImageCoverage.floor(range, m.images())));
        }
        boolean unsettled = false;
        for (Partition p : parts) {
            p.stacked = stackedAbove(m, p.range, p.floor) >= threshold;
            unsettled |= p.floor < imageLsn && !p.stacked;
        }
        if (countBytes && unsettled) {
            countDeltaBytes(m, parts);
        }
        int created = 0;
        long pages = 0;
        for (Partition p : parts) {
            if (p.floor < imageLsn && (p.stacked || p.deltaBytes * 2 >= (long) (p.to - p.from) * PAGE_SIZE)) {
                create(p.range, keys.subList(p.from, p.to), imageLsn);
                created++;
                pages += p.to - p.from;
            }
        }
        tl.imageCheckedDeltas = l1;
        tl.counters.imageLayersCreated.add(created);
        tl.counters.imagePagesCreated.add(pages);
        tl.counters.imageCreationNanos.add(System.nanoTime() - t0);
        return "image creation: " + created + " image layers (" + pages + " keys) at " + Lsn.format(imageLsn);
    }

    /** A partition of the key space, its keys' indexes [from, to) in the key list, and its image floor. */
    private static final class Partition {
        final KeyRange range;
        final int from;
        final int to;
        final long floor;
        /** At least image_creation_threshold L1 deltas overlap it above the floor. */
        boolean stacked;
        /** Bytes of the values L1 deltas hold for its keys above the floor (counted only when needed). */
        long deltaBytes;

        Partition(KeyRange range, int from, int to, long floor) {
            this.range = range;
            this.from = from;
            this.to = to;
            this.floor = floor;
        }
    }

    /** Adds up, per partition, the value lengths of the L1 entries above its floor (indexes only, no values). */
    private static void countDeltaBytes(LayerMap m, List<Partition> parts) {
        byte[][] ends = new byte[parts.size()][];
        long lowest = Long.MAX_VALUE;
        for (int i = 0; i < parts.size(); i++) {
            ends[i] = parts.get(i).range.end().toBytes();
            lowest = Math.min(lowest, parts.get(i).floor);
        }
        for (DeltaLayer d : m.deltas()) {
            if (d.isL0() || d.lsnEnd() - 1 <= lowest) {
                continue;
            }
            DeltaLayer.Cursor c = d.cursor();
            int i = 0;
            while (c.next()) {
                while (i < ends.length - 1 && c.compareKey(ends[i]) >= 0) {
                    i++;
                }
                Partition p = parts.get(i);
                if (c.lsn() > p.floor) {
                    p.deltaBytes += c.valueLength();
                }
            }
        }
    }

    /** Number of L1 deltas overlapping {@code range} with versions above {@code floor}. */
    private static int stackedAbove(LayerMap m, KeyRange range, long floor) {
        int n = 0;
        for (DeltaLayer d : m.deltas()) {
            if (!d.isL0() && d.lsnEnd() - 1 > floor && d.keyRange().overlaps(range)) {
                n++;
            }
        }
        return n;
    }

    private void create(KeyRange part, List<Key> keys, long lsn) {
        ImageLayerWriter w = new ImageLayerWriter(tl.dir(), tl.ctx.files(), true, tl.ctx.config().fsync());
        ImageLayer image;
        ReconstructState.Scan scan = new ReconstructState.Scan();
        try {
            for (Key k : keys) {
                w.add(k, tl.readUnchecked(k, lsn, true, scan));
            }
            image = w.finish(part, lsn, tl.ctx.layerFiles());
        } catch (RuntimeException | Error e) {
            Compactor.discard(tl, w, List.of(), e);
            throw e;
        }
        try {
            tl.commitHistoric(List.of(), List.of(), List.of(image), TimelineMetadata::withLayers);
        } catch (RuntimeException | Error e) {
            // Not deleted: the metadata may list it already; if not, the next start removes it.
            image.close();
            throw e;
        }
    }
}

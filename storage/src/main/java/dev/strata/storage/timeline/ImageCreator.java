package dev.strata.storage.timeline;

import dev.strata.storage.key.Key;
import dev.strata.storage.key.KeyRange;
import dev.strata.storage.layer.DeltaLayer;
import dev.strata.storage.layer.ImageLayer;
import dev.strata.storage.layer.ImageLayerWriter;
import dev.strata.storage.layer.LayerMap;
import dev.strata.storage.layer.ReconstructState;
import dev.strata.storage.pg.Lsn;

import java.util.List;

/**
 * Image layer creation. The key space at the disk-consistent LSN is cut into partitions of about
 * compaction_target_size / 8 KiB keys, contiguous from {@link Key#MIN} to {@link Key#MAX} (gaps included, so that
 * images of every partition cover everything). A partition is re-imaged when at least image_creation_threshold L1
 * deltas overlap it above its image floor (the LSN from which images cover all of it); the new image holds every
 * key of the partition that exists at that LSN, reconstructed through the read path and the redo.
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
        if (imageLsn < tl.startLsn() || stackedAbove(m, KeyRange.ALL, ImageCoverage.floor(KeyRange.ALL, m.images()))
                < threshold) {
            return "image creation: no key range has " + threshold + " deltas above its image";
        }
        long t0 = System.nanoTime();
        List<Key> keys = tl.keysUnchecked(m, KeyRange.ALL, imageLsn);
        int perPartition = (int) Math.max(1, tl.ctx.config().compactionTargetSize() / PAGE_SIZE);
        int created = 0;
        long pages = 0;
        for (int from = 0; from < Math.max(1, keys.size()); from += perPartition) {
            int to = Math.min(keys.size(), from + perPartition);
            Key start = from == 0 ? Key.MIN : keys.get(from);
            Key end = to >= keys.size() ? Key.MAX : keys.get(to);
            KeyRange part = new KeyRange(start, end);
            long floor = ImageCoverage.floor(part, m.images());
            if (floor < imageLsn && stackedAbove(m, part, floor) >= threshold) {
                create(part, keys.subList(from, to), imageLsn);
                created++;
                pages += to - from;
            }
        }
        tl.counters.imageLayersCreated.add(created);
        tl.counters.imagePagesCreated.add(pages);
        tl.counters.imageCreationNanos.add(System.nanoTime() - t0);
        return "image creation: " + created + " image layers (" + pages + " keys) at " + Lsn.format(imageLsn);
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

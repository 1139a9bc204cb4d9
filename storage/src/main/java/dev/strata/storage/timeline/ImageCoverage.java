package dev.strata.storage.timeline;

import dev.strata.storage.key.Key;
import dev.strata.storage.key.KeyRange;
import dev.strata.storage.layer.ImageLayer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Questions about how image layers cover a key range, for image creation and GC. */
final class ImageCoverage {
    private ImageCoverage() {
    }

    /** True when the union of the key ranges of {@code images} contains all of {@code range}. */
    static boolean covers(KeyRange range, List<ImageLayer> images) {
        List<KeyRange> parts = new ArrayList<>();
        for (ImageLayer im : images) {
            if (im.keyRange().overlaps(range)) {
                parts.add(im.keyRange());
            }
        }
        parts.sort(Comparator.comparing(KeyRange::start));
        Key reached = range.start();
        for (KeyRange p : parts) {
            if (p.start().compareTo(reached) > 0) {
                return false;
            }
            if (p.end().compareTo(reached) > 0) {
                reached = p.end();
            }
            if (reached.compareTo(range.end()) >= 0) {
                return true;
            }
        }
        return reached.compareTo(range.end()) >= 0 || range.isEmpty();
    }

    /**
     * The highest LSN {@code F} such that images at or above {@code F} cover all of {@code range} — every key of the
     * range has an image at {@code F} or newer — or -1 when some part has no image at all.
     */
    static long floor(KeyRange range, List<ImageLayer> imagesNewestFirst) {
        List<ImageLayer> taken = new ArrayList<>();
        for (ImageLayer im : imagesNewestFirst) {
            if (!im.keyRange().overlaps(range)) {
                continue;
            }
            taken.add(im);
            if (covers(range, taken)) {
                return im.lsn();
            }
        }
        return -1;
    }
}

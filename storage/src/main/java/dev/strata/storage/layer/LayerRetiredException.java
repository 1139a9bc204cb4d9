package dev.strata.storage.layer;

import dev.strata.storage.StorageException;

/**
 * A read reached a layer that compaction, GC or a flush has replaced and closed since the reader took its snapshot
 * of the layer map. The replacement holds the same data (or the LSN fell below the GC cutoff), so the reader
 * retries with the current snapshot.
 */
public class LayerRetiredException extends StorageException {
    public LayerRetiredException(String layer) {
        super("layer " + layer + " was replaced while being read");
    }
}

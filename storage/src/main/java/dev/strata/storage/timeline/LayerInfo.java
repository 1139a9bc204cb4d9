package dev.strata.storage.timeline;

import dev.strata.storage.key.Key;

/**
 * A layer as the admin commands and HTTP API show it.
 *
 * @param name     the file name (or a descriptive name for in-memory layers)
 * @param kind     delta-l0, delta-l1, image or in-memory
 * @param keyStart inclusive
 * @param keyEnd   exclusive
 * @param lsnStart inclusive
 * @param lsnEnd   exclusive (an image at L covers L..L+1)
 */
public record LayerInfo(String name, String kind, Key keyStart, Key keyEnd, long lsnStart, long lsnEnd,
                        long sizeBytes) {
}

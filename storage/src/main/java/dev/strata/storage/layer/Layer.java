package dev.strata.storage.layer;

import dev.strata.storage.key.KeyRange;
import dev.strata.storage.timeline.LayerInfo;

/** A layer as the layer map sees it: a rectangle of keys by LSNs, searchable for one key's versions. */
public interface Layer {
    KeyRange keyRange();

    /** Inclusive. */
    long lsnStart();

    /** Exclusive. */
    long lsnEnd();

    LayerInfo info();
}

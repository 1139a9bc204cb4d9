package dev.strata.storage.redo;

import java.util.Map;

/** Registers the index access methods' redo (btree, hash, gin, gist, spgist, brin) by resource manager id. */
public final class IndexRmgrs {
    private IndexRmgrs() {
    }

    /** Adds each index resource manager's redo to {@code byRmid}. */
    public static void registerAll(Map<Integer, RmgrRedo> byRmid) {
        // Index access methods register here as they are implemented.
    }
}

package dev.strata.storage.redo;

import dev.strata.storage.redo.gin.GinRedo;
import dev.strata.storage.redo.hash.HashRedo;
import dev.strata.storage.redo.nbtree.BtreeRedo;

import java.util.Map;

/** Registers the index access methods' redo (btree, hash, gin, gist, spgist, brin) by resource manager id. */
public final class IndexRmgrs {
    private IndexRmgrs() {
    }

    /** Adds each index resource manager's redo to {@code byRmid}. */
    public static void registerAll(Map<Integer, RmgrRedo> byRmid) {
        byRmid.put(BtreeRedo.RM_BTREE_ID, new BtreeRedo());
        byRmid.put(HashRedo.RM_HASH_ID, new HashRedo());
        byRmid.put(GinRedo.RM_GIN_ID, new GinRedo());
    }
}

package dev.strata.storage.redo;

import dev.strata.storage.redo.brin.BrinRedo;
import dev.strata.storage.redo.gin.GinRedo;
import dev.strata.storage.redo.gist.GistRedo;
import dev.strata.storage.redo.hash.HashRedo;
import dev.strata.storage.redo.nbtree.BtreeRedo;
import dev.strata.storage.redo.spgist.SpgRedo;
import dev.strata.storage.wal.DecodedRecord;

import java.util.Map;

/**
 * Registers the index access methods' redo (btree, hash, gin, gist, spgist, brin) by resource manager id.
 *
 * <p>Two of them also change a block after PostgreSQL has restored it from the record's full-page image, which the
 * generic read-block-for-redo step otherwise finishes alone: GiST's finished-split child (NSN and FOLLOW_RIGHT, set on
 * the primary only after the record was written, so absent from the image) and hash's bucket flags in
 * SPLIT_ALLOCATE_PAGE and SPLIT_COMPLETE. The page driver calls {@link #afterImageRestore} after restoring an image.
 */
public final class IndexRmgrs {
    private static final GistRedo GIST = new GistRedo();
    private static final HashRedo HASH = new HashRedo();

    private IndexRmgrs() {
    }

    /** Adds each index resource manager's redo to {@code byRmid}. */
    public static void registerAll(Map<Integer, RmgrRedo> byRmid) {
        byRmid.put(BtreeRedo.RM_BTREE_ID, new BtreeRedo());
        byRmid.put(HashRedo.RM_HASH_ID, HASH);
        byRmid.put(GinRedo.RM_GIN_ID, new GinRedo());
        byRmid.put(GistRedo.RM_GIST_ID, GIST);
        byRmid.put(SpgRedo.RM_SPGIST_ID, new SpgRedo());
        byRmid.put(BrinRedo.RM_BRIN_ID, new BrinRedo());
    }

    /**
     * Applies what PostgreSQL's redo of {@code record} does to block {@code blockId} after that block was restored
     * from the record's applied image ({@code BLK_RESTORED}), and stamps the LSN if it changed anything.
     *
     * @return whether the record type changes a restored block (false: the restored image is final)
     */
    public static boolean afterImageRestore(DecodedRecord record, int blockId, byte[] page) {
        switch (record.rmid()) {
            case GistRedo.RM_GIST_ID:
                return GIST.afterImageRestore(record, blockId, page);
            case HashRedo.RM_HASH_ID:
                return HASH.afterImageRestore(record, blockId, page);
            default:
                return false;
        }
    }
}

package dev.strata.storage.redo;

import dev.strata.storage.wal.DecodedRecord;

/**
 * Redo of one PostgreSQL resource manager, one block at a time: Strata stores a record under every block it
 * references and rebuilds each block independently, so a redo routine touches only the page it is given.
 *
 * <p>The caller has already done PostgreSQL's generic "read block for redo" step: a block with an applied image is
 * restored without calling this; a record whose end LSN is not above the page LSN is skipped; a will-init block
 * arrives as an all-zero page.
 */
public interface RmgrRedo {
    /**
     * Applies {@code record}'s change to block {@code blockId}, whose current content is {@code page} (8192 bytes,
     * modified in place), and sets the page LSN where PostgreSQL does.
     *
     * @throws RedoException naming LSN, relation, block and record type when the record cannot be applied
     */
    void redo(DecodedRecord record, int blockId, byte[] page);

    /**
     * True when the redo routine reads block {@code blockId} with {@code RBM_ZERO_ON_ERROR} rather than
     * {@code RBM_NORMAL}: a block missing from the fork, or present but all zeros, is then redone from an all-zero
     * page instead of being skipped (the VM page of Heap2 VISIBLE is the one case among the core rmgrs).
     */
    default boolean readsMissingAsZeros(DecodedRecord record, int blockId) {
        return false;
    }

    /** PostgreSQL 15's {@code rm_mask} for pages of this resource manager (modifies {@code page} in place). */
    void mask(byte[] page, int blkno);
}

package dev.strata.storage.redo.xlog;

import dev.strata.storage.redo.RedoException;
import dev.strata.storage.redo.RmgrRedo;
import dev.strata.storage.wal.DecodedRecord;

/**
 * Redo of the XLOG resource manager's page records (rmid 0): XLOG_FPI (0xB0) and XLOG_FPI_FOR_HINT (0xA0). Their
 * blocks carry applied images, which the generic step restores before any rmgr is called; what reaches this class
 * is a block without one. For FPI that is an error; FPI_FOR_HINT blocks without an image (full_page_writes off)
 * are skipped, as PostgreSQL does. XLOG has no {@code rm_mask}: its records are never consistency-checked.
 */
public final class XlogRedo implements RmgrRedo {
    public static final int RM_XLOG_ID = 0;
    public static final int XLOG_FPI_FOR_HINT = 0xA0;
    public static final int XLOG_FPI = 0xB0;

    @Override
    public void redo(DecodedRecord rec, int blockId, byte[] page) {
        int info = rec.rmgrInfo();
        if (info == XLOG_FPI_FOR_HINT && !rec.block(blockId).hasImage()) {
            return;
        }
        if (info == XLOG_FPI || info == XLOG_FPI_FOR_HINT) {
            throw new RedoException(rec.block(blockId).hasImage()
                    ? "unexpected XLogReadBufferForRedo result when restoring backup block (image without APPLY)"
                    : "XLOG_FPI record did not contain a full-page image");
        }
        throw new RedoException("XLOG record type 0x" + Integer.toHexString(info) + " changes no page");
    }

    @Override
    public void mask(byte[] page, int blkno) {
        // XLOG has no rm_mask; pages of FPI records are never compared.
    }
}

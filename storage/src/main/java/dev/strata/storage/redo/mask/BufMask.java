package dev.strata.storage.redo.mask;

import dev.strata.storage.redo.page.PageFormatException;
import dev.strata.storage.redo.page.PageOps;

import java.util.Arrays;

import static dev.strata.storage.redo.page.PageOps.BLCKSZ;
import static dev.strata.storage.redo.page.PageOps.SIZE_OF_PAGE_HEADER;

/**
 * PostgreSQL 15's shared masking helpers ({@code bufmask.c}), used by every resource manager's {@code rm_mask}
 * before {@code wal_consistency_checking} compares a replayed page with the primary's image. The mask marker is 0.
 */
public final class BufMask {
    public static final byte MASK_MARKER = 0;

    private BufMask() {
    }

    /** pd_lsn and pd_checksum become 0. */
    public static void maskPageLsnAndChecksum(byte[] page) {
        PageOps.pageSetLSN(page, MASK_MARKER);
        PageOps.pageSetChecksum(page, MASK_MARKER);
    }

    /** pd_prune_xid becomes 0; PD_PAGE_FULL, PD_HAS_FREE_LINES and PD_ALL_VISIBLE are cleared. */
    public static void maskPageHintBits(byte[] page) {
        PageOps.pageSetPruneXid(page, MASK_MARKER);
        PageOps.pageClearFull(page);
        PageOps.pageClearHasFreeLinePointers(page);
        PageOps.pageClearAllVisible(page);
    }

    /**
     * Zeroes [pd_lower, pd_upper).
     *
     * @throws PageFormatException when the header is not sane (PostgreSQL raises an ERROR)
     */
    public static void maskUnusedSpace(byte[] page) {
        int lower = PageOps.pageGetLower(page);
        int upper = PageOps.pageGetUpper(page);
        int special = PageOps.pageGetSpecial(page);
        if (lower > upper || special < upper || lower < SIZE_OF_PAGE_HEADER || special > BLCKSZ) {
            throw new PageFormatException("invalid page pd_lower " + lower + " pd_upper " + upper + " pd_special "
                    + special);
        }
        Arrays.fill(page, lower, upper, MASK_MARKER);
    }

    /** Every used line pointer's lp_flags becomes LP_UNUSED (0); lp_off and lp_len stay. */
    public static void maskLpFlags(byte[] page) {
        int maxoff = PageOps.pageGetMaxOffsetNumber(page);
        for (int off = PageOps.FIRST_OFFSET_NUMBER; off <= maxoff; off++) {
            if (PageOps.itemIdIsUsed(page, off)) {
                PageOps.itemIdSetFlags(page, off, PageOps.LP_UNUSED);
            }
        }
    }

    /** Zeroes everything after the header, and pd_lower and pd_upper. */
    public static void maskPageContent(byte[] page) {
        Arrays.fill(page, SIZE_OF_PAGE_HEADER, BLCKSZ, MASK_MARKER);
        PageOps.pageSetLower(page, MASK_MARKER);
        PageOps.pageSetUpper(page, MASK_MARKER);
    }
}

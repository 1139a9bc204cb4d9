package dev.strata.storage.redo.nbtree;

import dev.strata.storage.redo.RedoException;

import java.util.Arrays;

import static dev.strata.storage.redo.nbtree.IndexPage.BLCKSZ;
import static dev.strata.storage.redo.nbtree.IndexPage.PD_ALL_VISIBLE;
import static dev.strata.storage.redo.nbtree.IndexPage.PD_HAS_FREE_LINES;
import static dev.strata.storage.redo.nbtree.IndexPage.PD_PAGE_FULL;
import static dev.strata.storage.redo.nbtree.IndexPage.SIZE_OF_PAGE_HEADER;

/**
 * The masking primitives of PostgreSQL 15's {@code bufmask.c} (MASK_MARKER is 0), which every index access method's
 * {@code rm_mask} combines. They hide what a standby may legitimately have differently from the primary.
 */
public final class IndexMasks {
    private IndexMasks() {
    }

    /** {@code mask_page_lsn_and_checksum}: pd_lsn and pd_checksum become 0. */
    public static void maskPageLsnAndChecksum(byte[] page) {
        Arrays.fill(page, 0, 10, (byte) 0);
    }

    /** {@code mask_page_hint_bits}: pd_prune_xid becomes 0; PAGE_FULL, HAS_FREE_LINES and ALL_VISIBLE clear. */
    public static void maskPageHintBits(byte[] page) {
        IndexPage.setPruneXid(page, 0);
        IndexPage.setFlags(page, IndexPage.flags(page) & ~(PD_PAGE_FULL | PD_HAS_FREE_LINES | PD_ALL_VISIBLE));
    }

    /** {@code mask_unused_space}: zero [pd_lower, pd_upper); a page whose pointers are not sane is an error. */
    public static void maskUnusedSpace(byte[] page) {
        int lower = IndexPage.lower(page);
        int upper = IndexPage.upper(page);
        int special = IndexPage.special(page);
        if (lower > upper || special < upper || lower < SIZE_OF_PAGE_HEADER || special > BLCKSZ) {
            throw new RedoException("invalid page pd_lower " + lower + " pd_upper " + upper + " pd_special "
                    + special);
        }
        Arrays.fill(page, lower, upper, (byte) 0);
    }

    /** {@code mask_lp_flags}: every line pointer that is not UNUSED gets lp_flags 0 (offset and length kept). */
    public static void maskLpFlags(byte[] page) {
        int maxoff = IndexPage.maxOffset(page);
        for (int off = 1; off <= maxoff; off++) {
            int word = IndexPage.itemIdWord(page, off);
            if (((word >>> 15) & 3) != IndexPage.LP_UNUSED) {
                IndexPage.putI32(page, IndexPage.itemIdPos(off), word & ~(3 << 15));
            }
        }
    }

    /** {@code mask_page_content}: zero everything after the header, and pd_lower and pd_upper. */
    public static void maskPageContent(byte[] page) {
        Arrays.fill(page, SIZE_OF_PAGE_HEADER, BLCKSZ, (byte) 0);
        IndexPage.setLower(page, 0);
        IndexPage.setUpper(page, 0);
    }
}

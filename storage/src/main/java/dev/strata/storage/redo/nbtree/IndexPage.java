package dev.strata.storage.redo.nbtree;

import static dev.strata.storage.redo.page.PageOps.BLCKSZ;
import static dev.strata.storage.redo.page.PageOps.SIZE_OF_PAGE_HEADER;
import static dev.strata.storage.redo.page.PageOps.ITEM_ID_SIZE;

import dev.strata.storage.redo.RedoException;
import dev.strata.storage.redo.page.Bytes;
import dev.strata.storage.redo.page.PageOps;

/**
 * The standard page layout ({@code bufpage.h}) as the index access methods' redo (btree, hash, GIN, GiST, SP-GiST,
 * BRIN) uses it, on 8192-byte little-endian pages. The {@code bufpage.c} routines themselves are
 * {@link PageOps}'; this adds what index redo needs around them: refusals that PostgreSQL's redo turns into a PANIC
 * become exceptions, and {@link #item} checks a line pointer before an item is read.
 *
 * <p>Page header (24 bytes): pd_lsn (xlogid u32 @0, xrecoff u32 @4), pd_checksum u16 @8, pd_flags u16 @10,
 * pd_lower u16 @12, pd_upper u16 @14, pd_special u16 @16, pd_pagesize_version u16 @18 (0x2004), pd_prune_xid u32 @20;
 * then the line pointer array, 4 bytes per item: one little-endian u32 with lp_off in bits 0..14, lp_flags in bits
 * 15..16 and lp_len in bits 17..31.
 *
 * <p>What the routines deliberately leave alone matters as much as what they write: PageAddItem does not write the
 * MAXALIGN padding after an item, deletions leave stale line pointers and tuple bytes in the free space, and
 * compaction moves each item together with its padding. A failure (an item that does not fit, an offset outside
 * the page, corrupted pointers) throws {@link RedoException} with PostgreSQL's wording; the caller adds the LSN,
 * relation, block and record type.
 */
public final class IndexPage {
    public static final int PAGE_SIZE_VERSION = 8192 | 4;

    public static final int PD_LOWER = 12;
    public static final int PD_UPPER = 14;
    public static final int PD_SPECIAL = 16;
    public static final int PD_FLAGS = 10;
    public static final int PD_PRUNE_XID = 20;

    public static final int INVALID_BLOCK = 0xFFFFFFFF;

    private IndexPage() {
    }

    public static int maxAlign(int len) {
        return (len + 7) & ~7;
    }

    public static int shortAlign(int len) {
        return (len + 1) & ~1;
    }

    // ---- header ---------------------------------------------------------------------------------------------

    public static int lower(byte[] page) {
        return PageOps.pageGetLower(page);
    }

    public static int upper(byte[] page) {
        return PageOps.pageGetUpper(page);
    }

    public static int special(byte[] page) {
        return PageOps.pageGetSpecial(page);
    }

    public static void setLower(byte[] page, int v) {
        PageOps.pageSetLower(page, v);
    }

    public static void setUpper(byte[] page, int v) {
        PageOps.pageSetUpper(page, v);
    }

    public static int flags(byte[] page) {
        return PageOps.pageGetFlags(page);
    }

    public static void setFlags(byte[] page, int v) {
        PageOps.pageSetFlags(page, v);
    }

    public static int pruneXid(byte[] page) {
        return PageOps.pageGetPruneXid(page);
    }

    public static void setPruneXid(byte[] page, int xid) {
        PageOps.pageSetPruneXid(page, xid);
    }

    /** {@code PageGetLSN}: xlogid is the high half. */
    public static long lsn(byte[] page) {
        return PageOps.pageGetLSN(page);
    }

    /** {@code PageSetLSN}. */
    public static void setLsn(byte[] page, long lsn) {
        PageOps.pageSetLSN(page, lsn);
    }

    /**
     * pd_special, after checking that a special area of {@code size} bytes fits there: masks and redo read an
     * access method's opaque data at pd_special, which a damaged page could point off the page.
     */
    public static int opaque(byte[] page, int size) {
        int special = special(page);
        if (special < SIZE_OF_PAGE_HEADER || special + size > BLCKSZ) {
            throw new RedoException("pd_special " + special + " leaves no room for " + size
                    + " bytes of special space");
        }
        return special;
    }

    /** {@code PageIsNew}: pd_upper is zero (an all-zero page). */
    public static boolean isNew(byte[] page) {
        return upper(page) == 0;
    }

    /** {@code PageGetMaxOffsetNumber}. */
    public static int maxOffset(byte[] page) {
        int lower = lower(page);
        return lower <= SIZE_OF_PAGE_HEADER ? 0 : (lower - SIZE_OF_PAGE_HEADER) / ITEM_ID_SIZE;
    }

    /** {@code PageIsEmpty}: no line pointers. */
    public static boolean isEmpty(byte[] page) {
        return lower(page) <= SIZE_OF_PAGE_HEADER;
    }

    // ---- line pointers --------------------------------------------------------------------------------------

    /** Byte position of line pointer {@code offnum} (1-based). */
    public static int itemIdPos(int offnum) {
        return SIZE_OF_PAGE_HEADER + (offnum - 1) * ITEM_ID_SIZE;
    }

    public static int itemIdWord(byte[] page, int offnum) {
        return Bytes.i32(page, itemIdPos(offnum));
    }

    public static int lpOff(byte[] page, int offnum) {
        return itemIdWord(page, offnum) & 0x7FFF;
    }

    public static int lpFlags(byte[] page, int offnum) {
        return (itemIdWord(page, offnum) >>> 15) & 3;
    }

    public static int lpLen(byte[] page, int offnum) {
        return itemIdWord(page, offnum) >>> 17;
    }

    public static void setItemId(byte[] page, int offnum, int off, int flags, int len) {
        Bytes.putI32(page, itemIdPos(offnum), (off & 0x7FFF) | (flags & 3) << 15 | len << 17);
    }

    /**
     * The byte position of item {@code offnum} after checking that it is a line pointer of this page whose storage
     * lies inside [pd_upper, pd_special): the check every redo routine needs before reading an item.
     */
    public static int item(byte[] page, int offnum) {
        int maxoff = maxOffset(page);
        if (offnum < 1 || offnum > maxoff) {
            throw new RedoException("item offset " + offnum + " is outside the page's line pointers 1.." + maxoff);
        }
        int off = lpOff(page, offnum);
        int len = lpLen(page, offnum);
        if (len == 0 || off < upper(page) || off + len > special(page)) {
            throw new RedoException("line pointer " + offnum + " has no valid storage: offset " + off + ", length "
                    + len + " (upper " + upper(page) + ", special " + special(page) + ")");
        }
        return off;
    }

    // ---- bufpage.c, through PageOps ---------------------------------------------------------------------------

    /** {@code PageInit(page, BLCKSZ, specialSize)}: zero the page and set up an empty layout. */
    public static void pageInit(byte[] page, int specialSize) {
        PageOps.pageInit(page, specialSize);
    }

    /** {@code PageGetTempPageCopySpecial}: a fresh page with the same special size and special contents. */
    public static byte[] tempPageCopySpecial(byte[] page) {
        return PageOps.pageGetTempPageCopySpecial(page);
    }

    /**
     * {@code PageAddItemExtended} with an explicit offset, as redo uses it: without {@code overwrite} the line
     * pointers at and after {@code offnum} shuffle up; with it the slot must be unused. Copies {@code size} bytes of
     * {@code item} starting at {@code itemOff}; the padding up to MAXALIGN is not written. Where PostgreSQL's redo
     * would PANIC on a refused insertion this throws.
     *
     * @return {@code offnum}
     */
    public static int pageAddItem(byte[] page, byte[] item, int itemOff, int size, int offnum, boolean overwrite) {
        if (offnum < 1) {
            throw new RedoException("cannot add an item at invalid offset " + offnum);
        }
        if (itemOff < 0 || size < 0 || itemOff + size > item.length) {
            throw new RedoException("item of " + size + " bytes at " + itemOff + " runs past its "
                    + item.length + "-byte source");
        }
        int maxoff = maxOffset(page);
        int lower = lower(page);
        int upper = upper(page);
        if (PageOps.pageAddItem(page, item, itemOff, size, offnum, overwrite, false) != offnum) {
            String why = offnum > maxoff + 1 ? "offset is too large (max " + maxoff + ")"
                    : overwrite && offnum <= maxoff ? "the line pointer there is in use"
                    : "it does not fit (lower " + lower + ", upper " + upper + ")";
            throw new RedoException("cannot add an item of " + size + " bytes at offset " + offnum + ": " + why);
        }
        return offnum;
    }

    /** {@code PageIndexTupleDelete}: remove one item, closing the gaps in the line pointers and the tuple space. */
    public static void pageIndexTupleDelete(byte[] page, int offnum) {
        PageOps.pageIndexTupleDelete(page, offnum);
    }

    /** {@code PageIndexTupleDeleteNoCompact}: like a delete, but other items keep their offset numbers. */
    public static void pageIndexTupleDeleteNoCompact(byte[] page, int offnum) {
        PageOps.pageIndexTupleDeleteNoCompact(page, offnum);
    }

    /**
     * {@code PageIndexMultiDelete}: {@code itemnos[0..n)} sorted ascending. Two or fewer go through retail deletes
     * (highest first); otherwise the survivors' line pointers move to the front and their tuples are compacted
     * against pd_special in their new order, each with its MAXALIGN padding.
     */
    public static void pageIndexMultiDelete(byte[] page, int[] itemnos, int n) {
        PageOps.pageIndexMultiDelete(page, itemnos, n);
    }

    /**
     * {@code PageIndexTupleOverwrite}: replace item {@code offnum} in place, moving the tuples below it when the
     * MAXALIGNed size changes. lp_flags are kept. Where PostgreSQL's redo would PANIC on a refusal this throws.
     */
    public static void pageIndexTupleOverwrite(byte[] page, int offnum, byte[] item, int itemOff, int newsize) {
        if (!PageOps.pageIndexTupleOverwrite(page, offnum, item, itemOff, newsize)) {
            throw new RedoException("item of " + newsize + " bytes does not fit over offset " + offnum);
        }
    }
}

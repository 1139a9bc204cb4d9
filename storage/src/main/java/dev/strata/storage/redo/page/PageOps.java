package dev.strata.storage.redo.page;

import static dev.strata.storage.redo.page.Bytes.i32;
import static dev.strata.storage.redo.page.Bytes.maxAlign;
import static dev.strata.storage.redo.page.Bytes.putI32;
import static dev.strata.storage.redo.page.Bytes.putU16;
import static dev.strata.storage.redo.page.Bytes.u16;

import java.util.Arrays;

/**
 * PostgreSQL 15's standard page layout ({@code bufpage.h}, {@code bufpage.c}, {@code itemid.h}) on a
 * {@code byte[8192]}, byte for byte: every method leaves exactly the bytes PostgreSQL leaves, stale bytes included
 * (redo results are compared with the primary's pages).
 *
 * <p>Method names are PostgreSQL's in camelCase ({@code PageAddItemExtended} → {@link #pageAddItemExtended}).
 * Offset numbers are 1-based as in PostgreSQL; {@link #INVALID_OFFSET_NUMBER} is 0.
 *
 * <p>Page header ({@code PageHeaderData}, 24 bytes, little-endian):
 * <pre>
 *  0  u32 pd_lsn.xlogid (high half)     12 u16 pd_lower        20 u32 pd_prune_xid
 *  4  u32 pd_lsn.xrecoff (low half)     14 u16 pd_upper        24 ... ItemIdData[] (4 bytes each)
 *  8  u16 pd_checksum                   16 u16 pd_special
 * 10  u16 pd_flags                      18 u16 pd_pagesize_version (0x2004 for 8192-byte pages, layout 4)
 * </pre>
 * Line pointer ({@code ItemIdData}), one little-endian u32 {@code w}: lp_off = w &amp; 0x7FFF,
 * lp_flags = (w &gt;&gt; 15) &amp; 3, lp_len = w &gt;&gt; 17.
 */
public final class PageOps {
    public static final int BLCKSZ = 8192;
    public static final int SIZE_OF_PAGE_HEADER = 24;
    public static final int ITEM_ID_SIZE = 4;
    public static final int PG_PAGE_LAYOUT_VERSION = 4;
    public static final int INVALID_OFFSET_NUMBER = 0;
    public static final int FIRST_OFFSET_NUMBER = 1;
    public static final int MAX_HEAP_TUPLES_PER_PAGE = 291;

    public static final int PD_HAS_FREE_LINES = 0x1;
    public static final int PD_PAGE_FULL = 0x2;
    public static final int PD_ALL_VISIBLE = 0x4;

    public static final int LP_UNUSED = 0;
    public static final int LP_NORMAL = 1;
    public static final int LP_REDIRECT = 2;
    public static final int LP_DEAD = 3;

    /** {@code PAI_OVERWRITE}: the slot at the offset must be unused; nothing is shuffled. */
    public static final int PAI_OVERWRITE = 1;
    /** {@code PAI_IS_HEAP}: refuse offsets above {@link #MAX_HEAP_TUPLES_PER_PAGE}. */
    public static final int PAI_IS_HEAP = 2;

    private static final int OFF_LSN = 0;
    private static final int OFF_CHECKSUM = 8;
    private static final int OFF_FLAGS = 10;
    private static final int OFF_LOWER = 12;
    private static final int OFF_UPPER = 14;
    private static final int OFF_SPECIAL = 16;
    private static final int OFF_PAGESIZE_VERSION = 18;
    private static final int OFF_PRUNE_XID = 20;

    private PageOps() {
    }

    // ---- header ----------------------------------------------------------------------------------------------

    /** {@code PageGetLSN}: the two 32-bit halves (high first) as one LSN. */
    public static long pageGetLSN(byte[] page) {
        return ((long) i32(page, OFF_LSN) << 32) | (i32(page, OFF_LSN + 4) & 0xFFFF_FFFFL);
    }

    public static void pageSetLSN(byte[] page, long lsn) {
        putI32(page, OFF_LSN, (int) (lsn >>> 32));
        putI32(page, OFF_LSN + 4, (int) lsn);
    }

    public static int pageGetChecksum(byte[] page) {
        return u16(page, OFF_CHECKSUM);
    }

    public static void pageSetChecksum(byte[] page, int checksum) {
        putU16(page, OFF_CHECKSUM, checksum);
    }

    public static int pageGetFlags(byte[] page) {
        return u16(page, OFF_FLAGS);
    }

    public static void pageSetFlags(byte[] page, int flags) {
        putU16(page, OFF_FLAGS, flags);
    }

    public static int pageGetLower(byte[] page) {
        return u16(page, OFF_LOWER);
    }

    public static void pageSetLower(byte[] page, int lower) {
        putU16(page, OFF_LOWER, lower);
    }

    public static int pageGetUpper(byte[] page) {
        return u16(page, OFF_UPPER);
    }

    public static void pageSetUpper(byte[] page, int upper) {
        putU16(page, OFF_UPPER, upper);
    }

    /** {@code pd_special}: the offset of the special space ({@code PageGetSpecialPointer} as an offset). */
    public static int pageGetSpecial(byte[] page) {
        return u16(page, OFF_SPECIAL);
    }

    public static void pageSetSpecial(byte[] page, int special) {
        putU16(page, OFF_SPECIAL, special);
    }

    public static int pageGetSpecialSize(byte[] page) {
        return BLCKSZ - pageGetSpecial(page);
    }

    public static int pageGetPageSizeVersion(byte[] page) {
        return u16(page, OFF_PAGESIZE_VERSION);
    }

    public static void pageSetPageSizeAndVersion(byte[] page, int size, int version) {
        putU16(page, OFF_PAGESIZE_VERSION, size | version);
    }

    public static int pageGetPruneXid(byte[] page) {
        return i32(page, OFF_PRUNE_XID);
    }

    public static void pageSetPruneXid(byte[] page, int xid) {
        putI32(page, OFF_PRUNE_XID, xid);
    }

    /** {@code PageSetPrunable}: keep the oldest prunable xid (modulo-2^32 comparison, as TransactionIdPrecedes). */
    public static void pageSetPrunable(byte[] page, int xid) {
        int cur = pageGetPruneXid(page);
        if (cur == 0 || Xids.transactionIdPrecedes(xid, cur)) {
            pageSetPruneXid(page, xid);
        }
    }

    public static void pageClearPrunable(byte[] page) {
        pageSetPruneXid(page, 0);
    }

    /** {@code PageIsNew}: pd_upper == 0, i.e. a never-initialised (all-zero) page. */
    public static boolean pageIsNew(byte[] page) {
        return pageGetUpper(page) == 0;
    }

    /** {@code PageIsEmpty}: no line pointers. */
    public static boolean pageIsEmpty(byte[] page) {
        return pageGetLower(page) <= SIZE_OF_PAGE_HEADER;
    }

    public static boolean pageHasFreeLinePointers(byte[] page) {
        return (pageGetFlags(page) & PD_HAS_FREE_LINES) != 0;
    }

    public static void pageSetHasFreeLinePointers(byte[] page) {
        pageSetFlags(page, pageGetFlags(page) | PD_HAS_FREE_LINES);
    }

    public static void pageClearHasFreeLinePointers(byte[] page) {
        pageSetFlags(page, pageGetFlags(page) & ~PD_HAS_FREE_LINES);
    }

    public static boolean pageIsFull(byte[] page) {
        return (pageGetFlags(page) & PD_PAGE_FULL) != 0;
    }

    public static void pageSetFull(byte[] page) {
        pageSetFlags(page, pageGetFlags(page) | PD_PAGE_FULL);
    }

    public static void pageClearFull(byte[] page) {
        pageSetFlags(page, pageGetFlags(page) & ~PD_PAGE_FULL);
    }

    public static boolean pageIsAllVisible(byte[] page) {
        return (pageGetFlags(page) & PD_ALL_VISIBLE) != 0;
    }

    public static void pageSetAllVisible(byte[] page) {
        pageSetFlags(page, pageGetFlags(page) | PD_ALL_VISIBLE);
    }

    public static void pageClearAllVisible(byte[] page) {
        pageSetFlags(page, pageGetFlags(page) & ~PD_ALL_VISIBLE);
    }

    /** {@code PageGetMaxOffsetNumber}: the number of line pointers. */
    public static int pageGetMaxOffsetNumber(byte[] page) {
        int lower = pageGetLower(page);
        return lower <= SIZE_OF_PAGE_HEADER ? 0 : (lower - SIZE_OF_PAGE_HEADER) / ITEM_ID_SIZE;
    }

    // ---- line pointers ---------------------------------------------------------------------------------------

    /** Byte offset of line pointer {@code offnum} within the page ({@code PageGetItemId} as an offset). */
    public static int itemIdPos(int offnum) {
        return SIZE_OF_PAGE_HEADER + (offnum - 1) * ITEM_ID_SIZE;
    }

    /** The raw 32-bit {@code ItemIdData} word of line pointer {@code offnum}. */
    public static int pageGetItemId(byte[] page, int offnum) {
        return i32(page, itemIdPos(offnum));
    }

    public static void pageSetItemId(byte[] page, int offnum, int word) {
        putI32(page, itemIdPos(offnum), word);
    }

    public static int lpOff(int word) {
        return word & 0x7FFF;
    }

    public static int lpFlags(int word) {
        return (word >>> 15) & 3;
    }

    public static int lpLen(int word) {
        return word >>> 17;
    }

    /** Builds an {@code ItemIdData} word. */
    public static int itemId(int off, int flags, int len) {
        return (off & 0x7FFF) | (flags & 3) << 15 | len << 17;
    }

    public static int itemIdGetOffset(byte[] page, int offnum) {
        return lpOff(pageGetItemId(page, offnum));
    }

    public static int itemIdGetFlags(byte[] page, int offnum) {
        return lpFlags(pageGetItemId(page, offnum));
    }

    public static int itemIdGetLength(byte[] page, int offnum) {
        return lpLen(pageGetItemId(page, offnum));
    }

    /** {@code ItemIdGetRedirect}: a redirect's target offset number (kept in lp_off). */
    public static int itemIdGetRedirect(byte[] page, int offnum) {
        return itemIdGetOffset(page, offnum);
    }

    public static boolean itemIdIsUsed(byte[] page, int offnum) {
        return itemIdGetFlags(page, offnum) != LP_UNUSED;
    }

    public static boolean itemIdIsNormal(byte[] page, int offnum) {
        return itemIdGetFlags(page, offnum) == LP_NORMAL;
    }

    public static boolean itemIdIsRedirected(byte[] page, int offnum) {
        return itemIdGetFlags(page, offnum) == LP_REDIRECT;
    }

    public static boolean itemIdIsDead(byte[] page, int offnum) {
        return itemIdGetFlags(page, offnum) == LP_DEAD;
    }

    public static boolean itemIdHasStorage(byte[] page, int offnum) {
        return itemIdGetLength(page, offnum) != 0;
    }

    public static void itemIdSetNormal(byte[] page, int offnum, int off, int len) {
        pageSetItemId(page, offnum, itemId(off, LP_NORMAL, len));
    }

    public static void itemIdSetUnused(byte[] page, int offnum) {
        pageSetItemId(page, offnum, 0);
    }

    public static void itemIdSetRedirect(byte[] page, int offnum, int target) {
        pageSetItemId(page, offnum, itemId(target, LP_REDIRECT, 0));
    }

    public static void itemIdSetDead(byte[] page, int offnum) {
        pageSetItemId(page, offnum, itemId(0, LP_DEAD, 0));
    }

    /** {@code ItemIdMarkDead}: flags become DEAD, offset and length stay. */
    public static void itemIdMarkDead(byte[] page, int offnum) {
        int w = pageGetItemId(page, offnum);
        pageSetItemId(page, offnum, itemId(lpOff(w), LP_DEAD, lpLen(w)));
    }

    /** Sets only lp_flags, keeping lp_off and lp_len. */
    public static void itemIdSetFlags(byte[] page, int offnum, int flags) {
        int w = pageGetItemId(page, offnum);
        pageSetItemId(page, offnum, itemId(lpOff(w), flags, lpLen(w)));
    }

    /** {@code PageGetItem}: the byte offset of item {@code offnum}'s data. */
    public static int pageGetItem(byte[] page, int offnum) {
        return itemIdGetOffset(page, offnum);
    }

    // ---- initialisation and insertion ------------------------------------------------------------------------

    /** {@code PageInit}: zero the page; lower = 24, upper = special = 8192 - MAXALIGN(specialSize), 0x2004. */
    public static void pageInit(byte[] page, int specialSize) {
        Arrays.fill(page, 0, BLCKSZ, (byte) 0);
        int special = BLCKSZ - maxAlign(specialSize);
        pageSetLower(page, SIZE_OF_PAGE_HEADER);
        pageSetUpper(page, special);
        pageSetSpecial(page, special);
        pageSetPageSizeAndVersion(page, BLCKSZ, PG_PAGE_LAYOUT_VERSION);
    }

    /**
     * {@code PageAddItemExtended}: adds {@code size} bytes of {@code item} starting at {@code itemOff}.
     *
     * @param offnum where to put it, or {@link #INVALID_OFFSET_NUMBER} to take the first free slot
     * @param flags  {@link #PAI_OVERWRITE} and/or {@link #PAI_IS_HEAP}
     * @return the offset number used, or {@link #INVALID_OFFSET_NUMBER} when PostgreSQL would refuse (slot in use,
     *         offset too large, no room)
     * @throws PageFormatException when the header's pointers are corrupt (PostgreSQL PANICs)
     */
    public static int pageAddItemExtended(byte[] page, byte[] item, int itemOff, int size, int offnum, int flags) {
        checkPointers(page);
        int limit = pageGetMaxOffsetNumber(page) + 1;
        boolean needShuffle = false;
        if (offnum != INVALID_OFFSET_NUMBER) {
            if ((flags & PAI_OVERWRITE) != 0) {
                if (offnum < limit && (itemIdIsUsed(page, offnum) || itemIdHasStorage(page, offnum))) {
                    return INVALID_OFFSET_NUMBER;
                }
            } else if (offnum < limit) {
                needShuffle = true;
            }
        } else {
            offnum = findFreeSlot(page, limit);
        }
        if (offnum > limit) {
            return INVALID_OFFSET_NUMBER;
        }
        if ((flags & PAI_IS_HEAP) != 0 && offnum > MAX_HEAP_TUPLES_PER_PAGE) {
            return INVALID_OFFSET_NUMBER;
        }
        int lower = pageGetLower(page) + (offnum == limit || needShuffle ? ITEM_ID_SIZE : 0);
        int upper = pageGetUpper(page) - maxAlign(size);
        if (lower > upper) {
            return INVALID_OFFSET_NUMBER;
        }
        int pos = itemIdPos(offnum);
        if (needShuffle) {
            System.arraycopy(page, pos, page, pos + ITEM_ID_SIZE, (limit - offnum) * ITEM_ID_SIZE);
        }
        itemIdSetNormal(page, offnum, upper, size);
        System.arraycopy(item, itemOff, page, upper, size);
        pageSetLower(page, lower);
        pageSetUpper(page, upper);
        return offnum;
    }

    /** {@code PageAddItem(page, item, size, offnum, overwrite, is_heap)}. */
    public static int pageAddItem(byte[] page, byte[] item, int itemOff, int size, int offnum, boolean overwrite,
                                  boolean isHeap) {
        return pageAddItemExtended(page, item, itemOff, size, offnum,
                (overwrite ? PAI_OVERWRITE : 0) | (isHeap ? PAI_IS_HEAP : 0));
    }

    /** The free-slot search used when no offset is given; it resets a wrong PD_HAS_FREE_LINES hint. */
    private static int findFreeSlot(byte[] page, int limit) {
        if (!pageHasFreeLinePointers(page)) {
            return limit;
        }
        for (int off = FIRST_OFFSET_NUMBER; off < limit; off++) {
            if (!itemIdIsUsed(page, off) && !itemIdHasStorage(page, off)) {
                return off;
            }
        }
        pageClearHasFreeLinePointers(page);
        return limit;
    }

    // ---- free space ------------------------------------------------------------------------------------------

    /** {@code PageGetExactFreeSpace}: pd_upper - pd_lower, never negative. */
    public static int pageGetExactFreeSpace(byte[] page) {
        return Math.max(0, pageGetUpper(page) - pageGetLower(page));
    }

    /** {@code PageGetFreeSpace}: exact free space less one line pointer, never negative. */
    public static int pageGetFreeSpace(byte[] page) {
        int space = pageGetUpper(page) - pageGetLower(page);
        return space < ITEM_ID_SIZE ? 0 : space - ITEM_ID_SIZE;
    }

    /** {@code PageGetHeapFreeSpace}: 0 when a heap page has no line pointer left to use. */
    public static int pageGetHeapFreeSpace(byte[] page) {
        int space = pageGetFreeSpace(page);
        if (space > 0) {
            int nline = pageGetMaxOffsetNumber(page);
            if (nline >= MAX_HEAP_TUPLES_PER_PAGE) {
                if (!pageHasFreeLinePointers(page)) {
                    return 0;
                }
                for (int off = FIRST_OFFSET_NUMBER; off <= nline; off++) {
                    if (!itemIdIsUsed(page, off)) {
                        return space;
                    }
                }
                return 0;
            }
        }
        return space;
    }

    // ---- deletion, overwrite, compaction (in PageCompaction) -------------------------------------------------

    /** {@code PageIndexTupleDelete}: removes an item and its line pointer, closing the gap in tuple space. */
    public static void pageIndexTupleDelete(byte[] page, int offnum) {
        PageCompaction.indexTupleDelete(page, offnum, false);
    }

    /** {@code PageIndexTupleDeleteNoCompact}: removes an item, leaving its line pointer unused (unless last). */
    public static void pageIndexTupleDeleteNoCompact(byte[] page, int offnum) {
        PageCompaction.indexTupleDelete(page, offnum, true);
    }

    /** {@code PageIndexMultiDelete}: {@code itemnos[0..n)} ascending. */
    public static void pageIndexMultiDelete(byte[] page, int[] itemnos, int n) {
        PageCompaction.indexMultiDelete(page, itemnos, n);
    }

    /**
     * {@code PageIndexTupleOverwrite}: replaces item {@code offnum} with {@code newSize} bytes, keeping lp_flags.
     *
     * @return false when the new item does not fit
     */
    public static boolean pageIndexTupleOverwrite(byte[] page, int offnum, byte[] item, int itemOff, int newSize) {
        return PageCompaction.indexTupleOverwrite(page, offnum, item, itemOff, newSize);
    }

    /** {@code PageRepairFragmentation} (heap pages). */
    public static void pageRepairFragmentation(byte[] page) {
        PageCompaction.repairFragmentation(page);
    }

    /** {@code PageTruncateLinePointerArray} (heap VACUUM). */
    public static void pageTruncateLinePointerArray(byte[] page) {
        PageCompaction.truncateLinePointerArray(page);
    }

    // ---- temporary pages -------------------------------------------------------------------------------------

    /** {@code PageGetTempPageCopySpecial}: a fresh PageInit'ed page with this page's special space copied. */
    public static byte[] pageGetTempPageCopySpecial(byte[] page) {
        byte[] temp = new byte[BLCKSZ];
        int special = pageGetSpecial(page);
        pageInit(temp, BLCKSZ - special);
        System.arraycopy(page, special, temp, special, BLCKSZ - special);
        return temp;
    }

    /** {@code PageRestoreTempPage}: the whole temporary page replaces {@code page}. */
    public static void pageRestoreTempPage(byte[] temp, byte[] page) {
        System.arraycopy(temp, 0, page, 0, BLCKSZ);
    }

    /** The sanity check PageAddItemExtended makes before touching a page. */
    static void checkPointers(byte[] page) {
        int lower = pageGetLower(page);
        int upper = pageGetUpper(page);
        int special = pageGetSpecial(page);
        if (lower < SIZE_OF_PAGE_HEADER || lower > upper || upper > special || special > BLCKSZ) {
            throw new PageFormatException("corrupted page pointers: lower = " + lower + ", upper = " + upper
                    + ", special = " + special);
        }
    }
}

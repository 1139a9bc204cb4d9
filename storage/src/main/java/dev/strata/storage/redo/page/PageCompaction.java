package dev.strata.storage.redo.page;

import static dev.strata.storage.redo.page.Bytes.maxAlign;
import static dev.strata.storage.redo.page.PageOps.BLCKSZ;
import static dev.strata.storage.redo.page.PageOps.FIRST_OFFSET_NUMBER;
import static dev.strata.storage.redo.page.PageOps.ITEM_ID_SIZE;
import static dev.strata.storage.redo.page.PageOps.SIZE_OF_PAGE_HEADER;
import static dev.strata.storage.redo.page.PageOps.itemId;
import static dev.strata.storage.redo.page.PageOps.itemIdPos;
import static dev.strata.storage.redo.page.PageOps.lpFlags;
import static dev.strata.storage.redo.page.PageOps.lpLen;
import static dev.strata.storage.redo.page.PageOps.lpOff;
import static dev.strata.storage.redo.page.PageOps.pageGetItemId;
import static dev.strata.storage.redo.page.PageOps.pageGetLower;
import static dev.strata.storage.redo.page.PageOps.pageGetMaxOffsetNumber;
import static dev.strata.storage.redo.page.PageOps.pageGetSpecial;
import static dev.strata.storage.redo.page.PageOps.pageGetUpper;
import static dev.strata.storage.redo.page.PageOps.pageSetItemId;
import static dev.strata.storage.redo.page.PageOps.pageSetLower;
import static dev.strata.storage.redo.page.PageOps.pageSetUpper;

/**
 * The removing and moving half of {@code bufpage.c}, reached through {@link PageOps}. What matters for
 * byte-exactness: tuples move with their MAXALIGN padding, vacated bytes keep their stale content, and old line
 * pointer slots beyond pd_lower are left as they were.
 */
final class PageCompaction {
    private PageCompaction() {
    }

    /**
     * {@code compactify_tuples}: place the items {@code offnums[i]} (line pointers already in their final slots),
     * in array order, downwards from pd_special, each taking MAXALIGN(lp_len) bytes copied from where it was.
     * PostgreSQL's in-place and scratch-buffer paths both produce exactly this layout.
     */
    private static void compactify(byte[] page, int[] offnums, int n) {
        int special = pageGetSpecial(page);
        int from = pageGetUpper(page);
        byte[] snapshot = new byte[BLCKSZ];
        System.arraycopy(page, from, snapshot, from, special - from);
        int upper = special;
        for (int i = 0; i < n; i++) {
            int w = pageGetItemId(page, offnums[i]);
            int len = maxAlign(lpLen(w));
            upper -= len;
            System.arraycopy(snapshot, lpOff(w), page, upper, len);
            pageSetItemId(page, offnums[i], itemId(upper, lpFlags(w), lpLen(w)));
        }
        pageSetUpper(page, upper);
    }

    static void indexTupleDelete(byte[] page, int offnum, boolean noCompact) {
        checkHeader(page);
        int nline = pageGetMaxOffsetNumber(page);
        if (offnum <= 0 || offnum > nline) {
            throw new PageFormatException("invalid index offnum: " + offnum + " (page has " + nline + " items)");
        }
        int w = pageGetItemId(page, offnum);
        int offset = lpOff(w);
        int size = checkedItem(page, offset, lpLen(w));
        size = maxAlign(size);
        int lower = pageGetLower(page);
        if (noCompact) {
            if (offnum < nline) {
                pageSetItemId(page, offnum, 0);
            } else {
                lower -= ITEM_ID_SIZE;
                nline--;
            }
        } else {
            int pos = itemIdPos(offnum);
            int nbytes = lower - (pos + ITEM_ID_SIZE);
            if (nbytes > 0) {
                System.arraycopy(page, pos + ITEM_ID_SIZE, page, pos, nbytes);
            }
            lower -= ITEM_ID_SIZE;
            nline--;
        }
        int upper = pageGetUpper(page);
        if (offset > upper) {
            System.arraycopy(page, upper, page, upper + size, offset - upper);
        }
        pageSetUpper(page, upper + size);
        pageSetLower(page, lower);
        if (lower > SIZE_OF_PAGE_HEADER) {
            for (int i = FIRST_OFFSET_NUMBER; i <= nline; i++) {
                int ii = pageGetItemId(page, i);
                if ((!noCompact || lpLen(ii) != 0) && lpOff(ii) <= offset) {
                    pageSetItemId(page, i, itemId(lpOff(ii) + size, lpFlags(ii), lpLen(ii)));
                }
            }
        }
    }

    static void indexMultiDelete(byte[] page, int[] itemnos, int nitems) {
        if (nitems <= 2) {
            while (--nitems >= 0) {
                indexTupleDelete(page, itemnos[nitems], false);
            }
            return;
        }
        checkHeader(page);
        int special = pageGetSpecial(page);
        int nline = pageGetMaxOffsetNumber(page);
        int[] kept = new int[nline];
        int nused = 0;
        int nextitm = 0;
        long totallen = 0;
        for (int off = FIRST_OFFSET_NUMBER; off <= nline; off++) {
            int w = pageGetItemId(page, off);
            checkedItem(page, lpOff(w), lpLen(w));
            if (nextitm < nitems && off == itemnos[nextitm]) {
                nextitm++;
            } else {
                kept[nused++] = w;
                totallen += maxAlign(lpLen(w));
            }
        }
        if (nextitm != nitems) {
            throw new PageFormatException("incorrect index offsets supplied (" + nitems + " offsets, "
                    + nextitm + " matched among " + nline + " items)");
        }
        if (totallen > special - pageGetLower(page)) {
            throw new PageFormatException("corrupted item lengths: total " + totallen + ", available space "
                    + (special - pageGetLower(page)));
        }
        int[] order = new int[nused];
        for (int i = 0; i < nused; i++) {
            pageSetItemId(page, i + 1, kept[i]);
            order[i] = i + 1;
        }
        pageSetLower(page, SIZE_OF_PAGE_HEADER + nused * ITEM_ID_SIZE);
        if (nused > 0) {
            compactify(page, order, nused);
        } else {
            pageSetUpper(page, special);
        }
    }

    static boolean indexTupleOverwrite(byte[] page, int offnum, byte[] item, int itemOff, int newSize) {
        checkHeader(page);
        int itemcount = pageGetMaxOffsetNumber(page);
        if (offnum <= 0 || offnum > itemcount) {
            throw new PageFormatException("invalid index offnum: " + offnum + " (page has " + itemcount + " items)");
        }
        int w = pageGetItemId(page, offnum);
        int offset = lpOff(w);
        int oldSize = maxAlign(checkedItem(page, offset, lpLen(w)));
        int alignedNew = maxAlign(newSize);
        int upper = pageGetUpper(page);
        if (alignedNew > oldSize + (upper - pageGetLower(page))) {
            return false;
        }
        int diff = oldSize - alignedNew;
        if (diff != 0) {
            System.arraycopy(page, upper, page, upper + diff, offset - upper);
            pageSetUpper(page, upper + diff);
            for (int i = FIRST_OFFSET_NUMBER; i <= itemcount; i++) {
                int ii = pageGetItemId(page, i);
                if (lpLen(ii) != 0 && lpOff(ii) <= offset) {
                    pageSetItemId(page, i, itemId(lpOff(ii) + diff, lpFlags(ii), lpLen(ii)));
                }
            }
        }
        int flags = lpFlags(pageGetItemId(page, offnum));
        pageSetItemId(page, offnum, itemId(offset + diff, flags, newSize));
        System.arraycopy(item, itemOff, page, offset + diff, newSize);
        return true;
    }

    static void repairFragmentation(byte[] page) {
        checkHeader(page);
        int lower = pageGetLower(page);
        int upper = pageGetUpper(page);
        int special = pageGetSpecial(page);
        int nline = pageGetMaxOffsetNumber(page);
        int[] storage = new int[nline];
        int nstorage = 0;
        int nunused = 0;
        int finalUsed = 0;
        long totallen = 0;
        for (int i = FIRST_OFFSET_NUMBER; i <= nline; i++) {
            int w = pageGetItemId(page, i);
            if (lpFlags(w) != PageOps.LP_UNUSED) {
                if (lpLen(w) != 0) {
                    if (lpOff(w) < upper || lpOff(w) >= special) {
                        throw new PageFormatException("corrupted line pointer: " + lpOff(w) + " (item " + i
                                + ", upper " + upper + ", special " + special + ")");
                    }
                    storage[nstorage++] = i;
                    totallen += maxAlign(lpLen(w));
                }
                finalUsed = i;
            } else {
                pageSetItemId(page, i, 0);
                nunused++;
            }
        }
        if (nstorage == 0) {
            pageSetUpper(page, special);
        } else {
            if (totallen > special - lower) {
                throw new PageFormatException("corrupted item lengths: total " + totallen + ", available space "
                        + (special - lower));
            }
            compactify(page, storage, nstorage);
        }
        if (finalUsed != nline) {
            int nunusedEnd = nline - finalUsed;
            nunused -= nunusedEnd;
            pageSetLower(page, lower - ITEM_ID_SIZE * nunusedEnd);
        }
        setFreeLinesHint(page, nunused > 0);
    }

    static void truncateLinePointerArray(byte[] page) {
        boolean countDone = false;
        boolean setHint = false;
        int nunusedEnd = 0;
        for (int i = pageGetMaxOffsetNumber(page); i >= FIRST_OFFSET_NUMBER; i--) {
            boolean unused = lpFlags(pageGetItemId(page, i)) == PageOps.LP_UNUSED;
            if (!countDone && i > FIRST_OFFSET_NUMBER) {
                if (unused) {
                    nunusedEnd++;
                } else {
                    countDone = true;
                }
            } else if (unused) {
                setHint = true;
                break;
            }
        }
        if (nunusedEnd > 0) {
            pageSetLower(page, pageGetLower(page) - ITEM_ID_SIZE * nunusedEnd);
        }
        setFreeLinesHint(page, setHint);
    }

    private static void setFreeLinesHint(byte[] page, boolean set) {
        if (set) {
            PageOps.pageSetHasFreeLinePointers(page);
        } else {
            PageOps.pageClearHasFreeLinePointers(page);
        }
    }

    /** The pointer sanity check of the delete/overwrite/repair functions (PostgreSQL ERRORs). */
    private static void checkHeader(byte[] page) {
        int lower = pageGetLower(page);
        int upper = pageGetUpper(page);
        int special = pageGetSpecial(page);
        if (lower < SIZE_OF_PAGE_HEADER || lower > upper || upper > special || special > BLCKSZ
                || special != maxAlign(special)) {
            throw new PageFormatException("corrupted page pointers: lower = " + lower + ", upper = " + upper
                    + ", special = " + special);
        }
    }

    /** Checks an item lies in tuple space and is MAXALIGNed; returns its length. */
    private static int checkedItem(byte[] page, int offset, int size) {
        if (offset < pageGetUpper(page) || offset + size > pageGetSpecial(page) || offset != maxAlign(offset)) {
            throw new PageFormatException("corrupted line pointer: offset = " + offset + ", size = " + size);
        }
        return size;
    }
}

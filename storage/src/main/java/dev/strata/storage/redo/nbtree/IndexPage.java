package dev.strata.storage.redo.nbtree;

import dev.strata.storage.redo.RedoException;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The standard page layout ({@code bufpage.h}) and the {@code bufpage.c} routines the index access methods' redo
 * uses, byte for byte as PostgreSQL 15 does them, on 8192-byte little-endian pages. Shared by the btree, hash, GIN,
 * GiST, SP-GiST and BRIN redo.
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
    public static final int BLCKSZ = 8192;
    public static final int SIZE_OF_PAGE_HEADER = 24;
    public static final int ITEM_ID_SIZE = 4;
    public static final int PAGE_SIZE_VERSION = 8192 | 4;

    public static final int PD_LOWER = 12;
    public static final int PD_UPPER = 14;
    public static final int PD_SPECIAL = 16;
    public static final int PD_FLAGS = 10;
    public static final int PD_PRUNE_XID = 20;

    public static final int PD_HAS_FREE_LINES = 0x1;
    public static final int PD_PAGE_FULL = 0x2;
    public static final int PD_ALL_VISIBLE = 0x4;

    public static final int LP_UNUSED = 0;
    public static final int LP_NORMAL = 1;
    public static final int LP_REDIRECT = 2;
    public static final int LP_DEAD = 3;

    public static final int INVALID_BLOCK = 0xFFFFFFFF;

    private static final VarHandle I16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private IndexPage() {
    }

    // ---- little-endian access -------------------------------------------------------------------------------

    public static int u16(byte[] b, int off) {
        return (short) I16.get(b, off) & 0xFFFF;
    }

    public static void putU16(byte[] b, int off, int v) {
        I16.set(b, off, (short) v);
    }

    public static int i32(byte[] b, int off) {
        return (int) I32.get(b, off);
    }

    public static void putI32(byte[] b, int off, int v) {
        I32.set(b, off, v);
    }

    public static long i64(byte[] b, int off) {
        return (long) I64.get(b, off);
    }

    public static void putI64(byte[] b, int off, long v) {
        I64.set(b, off, v);
    }

    public static int maxAlign(int len) {
        return (len + 7) & ~7;
    }

    public static int shortAlign(int len) {
        return (len + 1) & ~1;
    }

    // ---- header ---------------------------------------------------------------------------------------------

    public static int lower(byte[] page) {
        return u16(page, PD_LOWER);
    }

    public static int upper(byte[] page) {
        return u16(page, PD_UPPER);
    }

    public static int special(byte[] page) {
        return u16(page, PD_SPECIAL);
    }

    public static void setLower(byte[] page, int v) {
        putU16(page, PD_LOWER, v);
    }

    public static void setUpper(byte[] page, int v) {
        putU16(page, PD_UPPER, v);
    }

    public static int flags(byte[] page) {
        return u16(page, PD_FLAGS);
    }

    public static void setFlags(byte[] page, int v) {
        putU16(page, PD_FLAGS, v);
    }

    public static int pruneXid(byte[] page) {
        return i32(page, PD_PRUNE_XID);
    }

    public static void setPruneXid(byte[] page, int xid) {
        putI32(page, PD_PRUNE_XID, xid);
    }

    /** {@code PageGetLSN}: xlogid is the high half. */
    public static long lsn(byte[] page) {
        return ((long) i32(page, 0) << 32) | (i32(page, 4) & 0xFFFFFFFFL);
    }

    /** {@code PageSetLSN}. */
    public static void setLsn(byte[] page, long lsn) {
        putI32(page, 0, (int) (lsn >>> 32));
        putI32(page, 4, (int) lsn);
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
        return i32(page, itemIdPos(offnum));
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
        putI32(page, itemIdPos(offnum), (off & 0x7FFF) | (flags & 3) << 15 | len << 17);
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

    // ---- bufpage.c ------------------------------------------------------------------------------------------

    /** {@code PageInit(page, BLCKSZ, specialSize)}: zero the page and set up an empty layout. */
    public static void pageInit(byte[] page, int specialSize) {
        java.util.Arrays.fill(page, 0, BLCKSZ, (byte) 0);
        int special = BLCKSZ - maxAlign(specialSize);
        setLower(page, SIZE_OF_PAGE_HEADER);
        setUpper(page, special);
        putU16(page, PD_SPECIAL, special);
        putU16(page, 18, PAGE_SIZE_VERSION);
    }

    /** {@code PageGetTempPageCopySpecial}: a fresh page with the same special size and special contents. */
    public static byte[] tempPageCopySpecial(byte[] page) {
        byte[] temp = new byte[BLCKSZ];
        int special = special(page);
        pageInit(temp, BLCKSZ - special);
        System.arraycopy(page, special, temp, special, BLCKSZ - special);
        return temp;
    }

    /**
     * {@code PageAddItemExtended} with an explicit offset, as redo uses it: without {@code overwrite} the line
     * pointers at and after {@code offnum} shuffle up; with it the slot must be unused. Copies {@code size} bytes of
     * {@code item} starting at {@code itemOff}; the padding up to MAXALIGN is not written.
     *
     * @return {@code offnum}
     */
    public static int pageAddItem(byte[] page, byte[] item, int itemOff, int size, int offnum, boolean overwrite) {
        checkPointers(page, false);
        int limit = maxOffset(page) + 1;
        boolean shuffle = false;
        if (offnum < 1) {
            throw new RedoException("cannot add an item at invalid offset " + offnum);
        }
        if (offnum < limit) {
            if (overwrite) {
                if (lpFlags(page, offnum) != LP_UNUSED || lpLen(page, offnum) != 0) {
                    throw new RedoException("will not overwrite a used ItemId at offset " + offnum);
                }
            } else {
                shuffle = true;
            }
        }
        if (offnum > limit) {
            throw new RedoException("specified item offset " + offnum + " is too large (max " + (limit - 1) + ")");
        }
        int lower = lower(page) + (offnum == limit || shuffle ? ITEM_ID_SIZE : 0);
        int upper = upper(page) - maxAlign(size);
        if (lower > upper) {
            throw new RedoException("item of " + size + " bytes does not fit at offset " + offnum + " (lower "
                    + lower(page) + ", upper " + upper(page) + ")");
        }
        if (itemOff < 0 || size < 0 || itemOff + size > item.length) {
            throw new RedoException("item of " + size + " bytes at " + itemOff + " runs past its "
                    + item.length + "-byte source");
        }
        int pos = itemIdPos(offnum);
        if (shuffle) {
            System.arraycopy(page, pos, page, pos + ITEM_ID_SIZE, (limit - offnum) * ITEM_ID_SIZE);
        }
        setItemId(page, offnum, upper, LP_NORMAL, size);
        System.arraycopy(item, itemOff, page, upper, size);
        setLower(page, lower);
        setUpper(page, upper);
        return offnum;
    }

    /** {@code PageIndexTupleDelete}: remove one item, closing the gaps in the line pointers and the tuple space. */
    public static void pageIndexTupleDelete(byte[] page, int offnum) {
        checkPointers(page, true);
        int nline = maxOffset(page);
        if (offnum <= 0 || offnum > nline) {
            throw new RedoException("invalid index offnum: " + offnum);
        }
        int offset = lpOff(page, offnum);
        int size = checkedItemSize(page, offnum, offset);
        int pdLower = lower(page);
        int pdUpper = upper(page);
        int nbytes = pdLower - itemIdPos(offnum + 1);
        if (nbytes > 0) {
            System.arraycopy(page, itemIdPos(offnum + 1), page, itemIdPos(offnum), nbytes);
        }
        if (offset > pdUpper) {
            System.arraycopy(page, pdUpper, page, pdUpper + size, offset - pdUpper);
        }
        setUpper(page, pdUpper + size);
        setLower(page, pdLower - ITEM_ID_SIZE);
        if (!isEmpty(page)) {
            for (int i = 1; i <= nline - 1; i++) {
                if (lpOff(page, i) <= offset) {
                    addToLpOff(page, i, size);
                }
            }
        }
    }

    /** {@code PageIndexTupleDeleteNoCompact}: like a delete, but other items keep their offset numbers. */
    public static void pageIndexTupleDeleteNoCompact(byte[] page, int offnum) {
        checkPointers(page, true);
        int nline = maxOffset(page);
        if (offnum <= 0 || offnum > nline) {
            throw new RedoException("invalid index offnum: " + offnum);
        }
        int offset = lpOff(page, offnum);
        int size = checkedItemSize(page, offnum, offset);
        if (offnum < nline) {
            setItemId(page, offnum, 0, LP_UNUSED, 0);
        } else {
            setLower(page, lower(page) - ITEM_ID_SIZE);
            nline--;
        }
        int pdUpper = upper(page);
        if (offset > pdUpper) {
            System.arraycopy(page, pdUpper, page, pdUpper + size, offset - pdUpper);
        }
        setUpper(page, pdUpper + size);
        if (!isEmpty(page)) {
            for (int i = 1; i <= nline; i++) {
                if (lpLen(page, i) != 0 && lpOff(page, i) <= offset) {
                    addToLpOff(page, i, size);
                }
            }
        }
    }

    /**
     * {@code PageIndexMultiDelete}: {@code itemnos[0..n)} sorted ascending. Two or fewer go through retail deletes
     * (highest first); otherwise the survivors' line pointers move to the front and their tuples are compacted
     * against pd_special in their new order, each with its MAXALIGN padding.
     */
    public static void pageIndexMultiDelete(byte[] page, int[] itemnos, int n) {
        if (n <= 2) {
            for (int i = n - 1; i >= 0; i--) {
                pageIndexTupleDelete(page, itemnos[i]);
            }
            return;
        }
        checkPointers(page, true);
        int pdLower = lower(page);
        int pdSpecial = special(page);
        int nline = maxOffset(page);
        int[] keptWords = new int[nline];
        int nused = 0;
        int nextitm = 0;
        int totallen = 0;
        for (int offnum = 1; offnum <= nline; offnum++) {
            int offset = lpOff(page, offnum);
            int size = lpLen(page, offnum);
            if (offset < upper(page) || offset + size > pdSpecial || offset != maxAlign(offset)) {
                throw new RedoException("corrupted line pointer: offset = " + offset + ", size = " + size);
            }
            if (nextitm < n && offnum == itemnos[nextitm]) {
                nextitm++;
            } else {
                keptWords[nused++] = itemIdWord(page, offnum);
                totallen += maxAlign(size);
            }
        }
        if (nextitm != n) {
            throw new RedoException("incorrect index offsets supplied");
        }
        if (totallen > pdSpecial - pdLower) {
            throw new RedoException("corrupted item lengths: total " + totallen + ", available space "
                    + (pdSpecial - pdLower));
        }
        for (int i = 0; i < nused; i++) {
            putI32(page, itemIdPos(i + 1), keptWords[i]);
        }
        setLower(page, SIZE_OF_PAGE_HEADER + nused * ITEM_ID_SIZE);
        if (nused > 0) {
            compactify(page, nused);
        } else {
            setUpper(page, pdSpecial);
        }
    }

    /**
     * {@code PageIndexTupleOverwrite}: replace item {@code offnum} in place, moving the tuples below it when the
     * MAXALIGNed size changes. lp_flags are kept.
     */
    public static void pageIndexTupleOverwrite(byte[] page, int offnum, byte[] item, int itemOff, int newsize) {
        checkPointers(page, true);
        int itemcount = maxOffset(page);
        if (offnum <= 0 || offnum > itemcount) {
            throw new RedoException("invalid index offnum: " + offnum);
        }
        int offset = lpOff(page, offnum);
        int oldsize = checkedItemSize(page, offnum, offset);
        int alignedNew = maxAlign(newsize);
        int pdUpper = upper(page);
        if (alignedNew > oldsize + (pdUpper - lower(page))) {
            throw new RedoException("item of " + newsize + " bytes does not fit over offset " + offnum);
        }
        int diff = oldsize - alignedNew;
        if (diff != 0) {
            System.arraycopy(page, pdUpper, page, pdUpper + diff, offset - pdUpper);
            setUpper(page, pdUpper + diff);
            for (int i = 1; i <= itemcount; i++) {
                if (lpLen(page, i) != 0 && lpOff(page, i) <= offset) {
                    addToLpOff(page, i, diff);
                }
            }
        }
        int flags = lpFlags(page, offnum);
        setItemId(page, offnum, offset + diff, flags, newsize);
        System.arraycopy(item, itemOff, page, offset + diff, newsize);
    }

    /** compactify_tuples: line pointers 1..nitems, placed from pd_special down in that order. */
    private static void compactify(byte[] page, int nitems) {
        byte[] snapshot = page.clone();
        int upper = special(page);
        for (int offnum = 1; offnum <= nitems; offnum++) {
            int word = itemIdWord(page, offnum);
            int off = word & 0x7FFF;
            int alignedLen = maxAlign(word >>> 17);
            upper -= alignedLen;
            System.arraycopy(snapshot, off, page, upper, alignedLen);
            putI32(page, itemIdPos(offnum), (word & ~0x7FFF) | upper);
        }
        setUpper(page, upper);
    }

    private static void addToLpOff(byte[] page, int offnum, int delta) {
        int word = itemIdWord(page, offnum);
        int off = ((word & 0x7FFF) + delta) & 0x7FFF;
        putI32(page, itemIdPos(offnum), (word & ~0x7FFF) | off);
    }

    private static int checkedItemSize(byte[] page, int offnum, int offset) {
        int size = lpLen(page, offnum);
        if (offset < upper(page) || offset + size > special(page) || offset != maxAlign(offset)) {
            throw new RedoException("corrupted line pointer: offset = " + offset + ", size = " + size);
        }
        return maxAlign(size);
    }

    private static void checkPointers(byte[] page, boolean alignedSpecial) {
        int lower = lower(page);
        int upper = upper(page);
        int special = special(page);
        if (lower < SIZE_OF_PAGE_HEADER || lower > upper || upper > special || special > BLCKSZ
                || (alignedSpecial && special != maxAlign(special))) {
            throw new RedoException("corrupted page pointers: lower = " + lower + ", upper = " + upper
                    + ", special = " + special);
        }
    }
}

package dev.strata.storage.redo.heap;

import dev.strata.storage.redo.RedoException;
import dev.strata.storage.redo.page.PageOps;

import static dev.strata.storage.redo.page.Bytes.i32;
import static dev.strata.storage.redo.page.Bytes.putI32;
import static dev.strata.storage.redo.page.Bytes.putU16;
import static dev.strata.storage.redo.page.Bytes.u16;

/**
 * {@code HeapTupleHeaderData} ({@code htup_details.h}) at a byte offset of a page or buffer:
 * <pre>
 *  0 u32 t_xmin        12 u16 t_ctid.bi_hi (block, high half)   18 u16 t_infomask2
 *  4 u32 t_xmax        14 u16 t_ctid.bi_lo (block, low half)    20 u16 t_infomask
 *  8 u32 t_cid/t_xvac  16 u16 t_ctid.ip_posid                   22 u8  t_hoff, then t_bits at 23
 * </pre>
 */
public final class HeapTuples {
    public static final int SIZEOF_HEAP_TUPLE_HEADER = 23;
    public static final int T_XMIN = 0;
    public static final int T_XMAX = 4;
    public static final int T_CID = 8;
    public static final int T_CTID = 12;
    public static final int T_INFOMASK2 = 18;
    public static final int T_INFOMASK = 20;
    public static final int T_HOFF = 22;

    public static final int HEAP_COMBOCID = 0x0020;
    public static final int HEAP_XMAX_KEYSHR_LOCK = 0x0010;
    public static final int HEAP_XMAX_EXCL_LOCK = 0x0040;
    public static final int HEAP_XMAX_LOCK_ONLY = 0x0080;
    public static final int HEAP_XMAX_SHR_LOCK = HEAP_XMAX_EXCL_LOCK | HEAP_XMAX_KEYSHR_LOCK;
    public static final int HEAP_LOCK_MASK = HEAP_XMAX_SHR_LOCK;
    public static final int HEAP_XMIN_COMMITTED = 0x0100;
    public static final int HEAP_XMIN_INVALID = 0x0200;
    public static final int HEAP_XMIN_FROZEN = HEAP_XMIN_COMMITTED | HEAP_XMIN_INVALID;
    public static final int HEAP_XMAX_COMMITTED = 0x0400;
    public static final int HEAP_XMAX_INVALID = 0x0800;
    public static final int HEAP_XMAX_IS_MULTI = 0x1000;
    public static final int HEAP_MOVED = 0xC000;
    public static final int HEAP_XACT_MASK = 0xFFF0;
    public static final int HEAP_XMAX_BITS = HEAP_XMAX_COMMITTED | HEAP_XMAX_INVALID | HEAP_XMAX_IS_MULTI
            | HEAP_LOCK_MASK | HEAP_XMAX_LOCK_ONLY;

    public static final int HEAP_KEYS_UPDATED = 0x2000;
    public static final int HEAP_HOT_UPDATED = 0x4000;

    public static final int XLHL_XMAX_IS_MULTI = 0x01;
    public static final int XLHL_XMAX_LOCK_ONLY = 0x02;
    public static final int XLHL_XMAX_EXCL_LOCK = 0x04;
    public static final int XLHL_XMAX_KEYSHR_LOCK = 0x08;
    public static final int XLHL_KEYS_UPDATED = 0x10;

    /** {@code SpecTokenOffsetNumber}: a ctid offset marking a speculative insertion. */
    public static final int SPEC_TOKEN_OFFSET_NUMBER = 0xFFFE;
    /** {@code MovedPartitionsOffsetNumber} / block: the ctid of a row moved to another partition. */
    public static final int MOVED_PARTITIONS_OFFSET_NUMBER = 0xFFFD;
    public static final int MOVED_PARTITIONS_BLOCK_NUMBER = 0xFFFF_FFFF;

    private HeapTuples() {
    }

    public static int infomask(byte[] b, int t) {
        return u16(b, t + T_INFOMASK);
    }

    public static void setInfomask(byte[] b, int t, int v) {
        putU16(b, t + T_INFOMASK, v);
    }

    public static int infomask2(byte[] b, int t) {
        return u16(b, t + T_INFOMASK2);
    }

    public static void setInfomask2(byte[] b, int t, int v) {
        putU16(b, t + T_INFOMASK2, v);
    }

    public static int hoff(byte[] b, int t) {
        return b[t + T_HOFF] & 0xFF;
    }

    public static void setXmin(byte[] b, int t, int xid) {
        putI32(b, t + T_XMIN, xid);
    }

    public static int xmin(byte[] b, int t) {
        return i32(b, t + T_XMIN);
    }

    public static void setXmax(byte[] b, int t, int xid) {
        putI32(b, t + T_XMAX, xid);
    }

    /** {@code HeapTupleHeaderSetCmin/SetCmax(cid, false)}: store the cid and clear HEAP_COMBOCID. */
    public static void setCid(byte[] b, int t, int cid) {
        putI32(b, t + T_CID, cid);
        setInfomask(b, t, infomask(b, t) & ~HEAP_COMBOCID);
    }

    /** {@code HeapTupleHeaderSetXvac}: the same 4 bytes as t_cid, flags untouched. */
    public static void setXvac(byte[] b, int t, int xid) {
        putI32(b, t + T_CID, xid);
    }

    public static void setCtid(byte[] b, int t, int blkno, int offnum) {
        putU16(b, t + T_CTID, blkno >>> 16);
        putU16(b, t + T_CTID + 2, blkno & 0xFFFF);
        putU16(b, t + T_CTID + 4, offnum);
    }

    public static int ctidOffset(byte[] b, int t) {
        return u16(b, t + T_CTID + 4);
    }

    /** {@code fix_infomask_from_infobits}: the reverse of compute_infobits. */
    public static void fixInfomaskFromInfobits(byte[] b, int t, int infobits) {
        int mask = infomask(b, t) & ~(HEAP_XMAX_IS_MULTI | HEAP_XMAX_LOCK_ONLY | HEAP_XMAX_KEYSHR_LOCK
                | HEAP_XMAX_EXCL_LOCK);
        int mask2 = infomask2(b, t) & ~HEAP_KEYS_UPDATED;
        if ((infobits & XLHL_XMAX_IS_MULTI) != 0) {
            mask |= HEAP_XMAX_IS_MULTI;
        }
        if ((infobits & XLHL_XMAX_LOCK_ONLY) != 0) {
            mask |= HEAP_XMAX_LOCK_ONLY;
        }
        if ((infobits & XLHL_XMAX_EXCL_LOCK) != 0) {
            mask |= HEAP_XMAX_EXCL_LOCK;
        }
        if ((infobits & XLHL_XMAX_KEYSHR_LOCK) != 0) {
            mask |= HEAP_XMAX_KEYSHR_LOCK;
        }
        if ((infobits & XLHL_KEYS_UPDATED) != 0) {
            mask2 |= HEAP_KEYS_UPDATED;
        }
        setInfomask(b, t, mask);
        setInfomask2(b, t, mask2);
    }

    /** Clears the xmax bits, HEAP_MOVED and KEYS_UPDATED, as every xmax-changing redo does first. */
    public static void clearXmaxBits(byte[] b, int t) {
        setInfomask(b, t, infomask(b, t) & ~(HEAP_XMAX_BITS | HEAP_MOVED));
        setInfomask2(b, t, infomask2(b, t) & ~HEAP_KEYS_UPDATED);
    }

    /** {@code HEAP_XMAX_IS_LOCKED_ONLY}. */
    public static boolean xmaxIsLockedOnly(int infomask) {
        return (infomask & HEAP_XMAX_LOCK_ONLY) != 0
                || (infomask & (HEAP_XMAX_IS_MULTI | HEAP_LOCK_MASK)) == HEAP_XMAX_EXCL_LOCK;
    }

    /**
     * The byte offset of the NORMAL item {@code offnum} on a heap page, as the redo routines require it
     * (PostgreSQL PANICs with "invalid lp" otherwise).
     */
    public static int normalTuple(byte[] page, int offnum) {
        int maxoff = PageOps.pageGetMaxOffsetNumber(page);
        if (offnum < 1 || offnum > maxoff) {
            throw new RedoException("invalid lp: offset " + offnum + " is outside the page's " + maxoff
                    + " line pointers");
        }
        int w = PageOps.pageGetItemId(page, offnum);
        if (PageOps.lpFlags(w) != PageOps.LP_NORMAL) {
            throw new RedoException("invalid lp: item " + offnum + " has lp_flags " + PageOps.lpFlags(w)
                    + ", not LP_NORMAL");
        }
        int off = PageOps.lpOff(w);
        if (off + SIZEOF_HEAP_TUPLE_HEADER > PageOps.BLCKSZ) {
            throw new RedoException("invalid lp: item " + offnum + " at offset " + off + " runs off the page");
        }
        return off;
    }

    /** Checks a line pointer number the record names exists on the page. */
    public static void checkLinePointer(byte[] page, int offnum) {
        int maxoff = PageOps.pageGetMaxOffsetNumber(page);
        if (offnum < 1 || offnum > maxoff) {
            throw new RedoException("offset " + offnum + " is outside the page's " + maxoff + " line pointers");
        }
    }
}

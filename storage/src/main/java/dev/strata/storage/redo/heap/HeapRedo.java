package dev.strata.storage.redo.heap;

import dev.strata.storage.redo.RedoException;
import dev.strata.storage.redo.RmgrRedo;
import dev.strata.storage.redo.page.PageOps;
import dev.strata.storage.wal.BlockRef;
import dev.strata.storage.wal.DecodedRecord;

import static dev.strata.storage.redo.heap.HeapTuples.*;
import static dev.strata.storage.redo.page.Bytes.i32;
import static dev.strata.storage.redo.page.Bytes.u16;
import static dev.strata.storage.redo.page.Bytes.u8;

/**
 * Redo of the Heap resource manager (rmid 10, {@code heap_redo} in {@code heapam.c}) for one block. The
 * visibility-map clearing these records imply is not done here: it happens on the VM page's own key through
 * {@link dev.strata.storage.redo.StrataRecord#CLEAR_VM_FLAGS}.
 *
 * <p>Main data layouts (little-endian, offsets from the start of main data):
 * <pre>
 * xl_heap_insert  (3)  offnum u16 @0, flags u8 @2
 * xl_heap_delete  (8)  xmax u32 @0, offnum u16 @4, infobits_set u8 @6, flags u8 @7
 * xl_heap_update (14)  old_xmax u32 @0, old_offnum u16 @4, old_infobits_set u8 @6, flags u8 @7,
 *                      new_xmax u32 @8, new_offnum u16 @12
 * xl_heap_lock    (8)  locking_xid u32 @0, offnum u16 @4, infobits_set u8 @6, flags u8 @7
 * xl_heap_confirm (2)  offnum u16;  xl_heap_inplace (2) offnum u16
 * </pre>
 * Block data of insert: xl_heap_header (infomask2 u16, infomask u16, t_hoff u8) then the tuple from t_bits on.
 * Block 0 data of update: [prefixlen u16 if PREFIX_FROM_OLD] [suffixlen u16 if SUFFIX_FROM_OLD] xl_heap_header,
 * then the new tuple from t_bits without the shared prefix and suffix.
 */
public final class HeapRedo implements RmgrRedo {
    public static final int RM_HEAP_ID = 10;

    public static final int XLOG_HEAP_INSERT = 0x00;
    public static final int XLOG_HEAP_DELETE = 0x10;
    public static final int XLOG_HEAP_UPDATE = 0x20;
    public static final int XLOG_HEAP_TRUNCATE = 0x30;
    public static final int XLOG_HEAP_HOT_UPDATE = 0x40;
    public static final int XLOG_HEAP_CONFIRM = 0x50;
    public static final int XLOG_HEAP_LOCK = 0x60;
    public static final int XLOG_HEAP_INPLACE = 0x70;
    public static final int XLOG_HEAP_OPMASK = 0x70;
    public static final int XLOG_HEAP_INIT_PAGE = 0x80;

    public static final int XLH_INSERT_ALL_VISIBLE_CLEARED = 0x01;
    public static final int XLH_UPDATE_OLD_ALL_VISIBLE_CLEARED = 0x01;
    public static final int XLH_UPDATE_NEW_ALL_VISIBLE_CLEARED = 0x02;
    public static final int XLH_UPDATE_PREFIX_FROM_OLD = 0x20;
    public static final int XLH_UPDATE_SUFFIX_FROM_OLD = 0x40;
    public static final int XLH_DELETE_ALL_VISIBLE_CLEARED = 0x01;
    public static final int XLH_DELETE_IS_SUPER = 0x08;
    public static final int XLH_DELETE_IS_PARTITION_MOVE = 0x10;
    public static final int XLH_LOCK_ALL_FROZEN_CLEARED = 0x01;

    static final int SIZE_OF_HEAP_HEADER = 5;

    @Override
    public void redo(DecodedRecord rec, int blockId, byte[] page) {
        int info = rec.rmgrInfo();
        switch (info & XLOG_HEAP_OPMASK) {
            case XLOG_HEAP_INSERT -> insert(rec, page);
            case XLOG_HEAP_DELETE -> delete(rec, page);
            case XLOG_HEAP_UPDATE -> update(rec, blockId, page, false);
            case XLOG_HEAP_HOT_UPDATE -> update(rec, blockId, page, true);
            case XLOG_HEAP_CONFIRM -> confirm(rec, page);
            case XLOG_HEAP_LOCK -> lock(rec, page);
            case XLOG_HEAP_INPLACE -> inplace(rec, page);
            default -> throw new RedoException("heap record type 0x" + Integer.toHexString(info)
                    + " changes no page");
        }
    }

    @Override
    public void mask(byte[] page, int blkno) {
        HeapMask.mask(page, blkno);
    }

    private static void insert(DecodedRecord rec, byte[] page) {
        byte[] raw = rec.raw();
        int md = rec.mainDataOffset();
        int offnum = u16(raw, md);
        int flags = u8(raw, md + 2);
        BlockRef blk = rec.block(0);
        if ((rec.rmgrInfo() & XLOG_HEAP_INIT_PAGE) != 0) {
            PageOps.pageInit(page, 0);
        }
        if (PageOps.pageGetMaxOffsetNumber(page) + 1 < offnum) {
            throw new RedoException("invalid max offset number: offset " + offnum + " on a page with "
                    + PageOps.pageGetMaxOffsetNumber(page) + " line pointers");
        }
        byte[] tuple = buildTuple(raw, blk.dataOffset(), blk.dataLength(), rec.xid(), blk.blkno(), offnum);
        addTuple(page, tuple, offnum);
        PageOps.pageSetLSN(page, rec.endLsn());
        if ((flags & XLH_INSERT_ALL_VISIBLE_CLEARED) != 0) {
            PageOps.pageClearAllVisible(page);
        }
    }

    /**
     * A tuple from an xl_heap_header at {@code off} followed by its body: zeroed 23-byte header, body from t_bits,
     * infomasks and t_hoff from WAL, xmin = the record's xid, cid 0 (COMBOCID cleared), ctid = (blkno, offnum).
     */
    static byte[] buildTuple(byte[] raw, int off, int len, int xid, int blkno, int offnum) {
        if (len < SIZE_OF_HEAP_HEADER) {
            throw new RedoException("tuple data of " + len + " bytes is shorter than its 5-byte xl_heap_header");
        }
        int body = len - SIZE_OF_HEAP_HEADER;
        byte[] t = new byte[SIZEOF_HEAP_TUPLE_HEADER + body];
        System.arraycopy(raw, off + SIZE_OF_HEAP_HEADER, t, SIZEOF_HEAP_TUPLE_HEADER, body);
        fillHeader(t, raw, off, xid, blkno, offnum);
        return t;
    }

    /** The header fields every tuple rebuilt from WAL gets (see {@link #buildTuple}). */
    static void fillHeader(byte[] t, byte[] raw, int xlhdr, int xid, int blkno, int offnum) {
        setInfomask2(t, 0, u16(raw, xlhdr));
        setInfomask(t, 0, u16(raw, xlhdr + 2));
        t[T_HOFF] = raw[xlhdr + 4];
        setXmin(t, 0, xid);
        setCid(t, 0, 0);
        setCtid(t, 0, blkno, offnum);
    }

    static void addTuple(byte[] page, byte[] tuple, int offnum) {
        if (PageOps.pageAddItemExtended(page, tuple, 0, tuple.length, offnum,
                PageOps.PAI_OVERWRITE | PageOps.PAI_IS_HEAP) == PageOps.INVALID_OFFSET_NUMBER) {
            throw new RedoException("failed to add tuple of " + tuple.length + " bytes at offset " + offnum
                    + " (line pointers " + PageOps.pageGetMaxOffsetNumber(page) + ", free space "
                    + PageOps.pageGetExactFreeSpace(page) + ")");
        }
    }

    private static void delete(DecodedRecord rec, byte[] page) {
        byte[] raw = rec.raw();
        int md = rec.mainDataOffset();
        int offnum = u16(raw, md + 4);
        int flags = u8(raw, md + 7);
        int t = normalTuple(page, offnum);
        clearXmaxBits(page, t);
        setInfomask2(page, t, infomask2(page, t) & ~HEAP_HOT_UPDATED);
        fixInfomaskFromInfobits(page, t, u8(raw, md + 6));
        if ((flags & XLH_DELETE_IS_SUPER) == 0) {
            setXmax(page, t, i32(raw, md));
        } else {
            setXmin(page, t, 0);
        }
        setCid(page, t, 0);
        PageOps.pageSetPrunable(page, rec.xid());
        if ((flags & XLH_DELETE_ALL_VISIBLE_CLEARED) != 0) {
            PageOps.pageClearAllVisible(page);
        }
        if ((flags & XLH_DELETE_IS_PARTITION_MOVE) != 0) {
            setCtid(page, t, MOVED_PARTITIONS_BLOCK_NUMBER, MOVED_PARTITIONS_OFFSET_NUMBER);
        } else {
            setCtid(page, t, rec.block(0).blkno(), offnum);
        }
        PageOps.pageSetLSN(page, rec.endLsn());
    }

    /**
     * Block 0 is the new page; block 1, when present, the old one. With a single block both tuples are on it and
     * the old tuple is changed first, its data then serving the new tuple's prefix and suffix.
     */
    private static void update(DecodedRecord rec, int blockId, byte[] page, boolean hot) {
        boolean samePage = !rec.hasBlock(1);
        if (blockId == 1 || samePage) {
            if (samePage && rec.block(0).willInit()) {
                throw new RedoException("block with WILL_INIT flag in WAL record must be zeroed by redo routine");
            }
            updateOld(rec, page, hot);
        }
        if (blockId == 0) {
            HeapUpdateNew.apply(rec, page, samePage);
        }
    }

    private static void updateOld(DecodedRecord rec, byte[] page, boolean hot) {
        byte[] raw = rec.raw();
        int md = rec.mainDataOffset();
        int flags = u8(raw, md + 7);
        int t = normalTuple(page, u16(raw, md + 4));
        clearXmaxBits(page, t);
        int mask2 = infomask2(page, t);
        setInfomask2(page, t, hot ? mask2 | HEAP_HOT_UPDATED : mask2 & ~HEAP_HOT_UPDATED);
        fixInfomaskFromInfobits(page, t, u8(raw, md + 6));
        setXmax(page, t, i32(raw, md));
        setCid(page, t, 0);
        setCtid(page, t, rec.block(0).blkno(), u16(raw, md + 12));
        PageOps.pageSetPrunable(page, rec.xid());
        if ((flags & XLH_UPDATE_OLD_ALL_VISIBLE_CLEARED) != 0) {
            PageOps.pageClearAllVisible(page);
        }
        PageOps.pageSetLSN(page, rec.endLsn());
    }

    private static void confirm(DecodedRecord rec, byte[] page) {
        int offnum = u16(rec.raw(), rec.mainDataOffset());
        int t = normalTuple(page, offnum);
        setCtid(page, t, rec.block(0).blkno(), offnum);
        PageOps.pageSetLSN(page, rec.endLsn());
    }

    private static void lock(DecodedRecord rec, byte[] page) {
        byte[] raw = rec.raw();
        int md = rec.mainDataOffset();
        int offnum = u16(raw, md + 4);
        int t = normalTuple(page, offnum);
        clearXmaxBits(page, t);
        fixInfomaskFromInfobits(page, t, u8(raw, md + 6));
        if (xmaxIsLockedOnly(infomask(page, t))) {
            setInfomask2(page, t, infomask2(page, t) & ~HEAP_HOT_UPDATED);
            setCtid(page, t, rec.block(0).blkno(), offnum);
        }
        setXmax(page, t, i32(raw, md));
        setCid(page, t, 0);
        PageOps.pageSetLSN(page, rec.endLsn());
    }

    private static void inplace(DecodedRecord rec, byte[] page) {
        int offnum = u16(rec.raw(), rec.mainDataOffset());
        BlockRef blk = rec.block(0);
        int t = normalTuple(page, offnum);
        int oldLen = PageOps.itemIdGetLength(page, offnum) - hoff(page, t);
        if (oldLen != blk.dataLength()) {
            throw new RedoException("wrong tuple length: the record carries " + blk.dataLength()
                    + " bytes for a tuple data area of " + oldLen);
        }
        System.arraycopy(rec.raw(), blk.dataOffset(), page, t + hoff(page, t), oldLen);
        PageOps.pageSetLSN(page, rec.endLsn());
    }
}

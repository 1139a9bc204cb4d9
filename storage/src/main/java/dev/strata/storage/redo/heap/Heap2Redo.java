package dev.strata.storage.redo.heap;

import dev.strata.storage.redo.RedoException;
import dev.strata.storage.redo.RmgrRedo;
import dev.strata.storage.redo.page.PageOps;
import dev.strata.storage.redo.page.Xids;
import dev.strata.storage.redo.vm.VisibilityMap;
import dev.strata.storage.wal.BlockRef;
import dev.strata.storage.wal.DecodedRecord;

import static dev.strata.storage.redo.heap.HeapTuples.*;
import static dev.strata.storage.redo.page.Bytes.i32;
import static dev.strata.storage.redo.page.Bytes.shortAlign;
import static dev.strata.storage.redo.page.Bytes.u16;
import static dev.strata.storage.redo.page.Bytes.u8;

/**
 * Redo of the Heap2 resource manager (rmid 9, {@code heap2_redo}) for one block, PostgreSQL 15 formats:
 * <pre>
 * PRUNE        main: latestRemovedXid u32, nredirected u16 @4, ndead u16 @6;
 *              block 0 data: nredirected (from, to) u16 pairs, ndead u16, then the now-unused u16 offsets
 * VACUUM       main: nunused u16; block 0 data: nunused u16 offsets
 * FREEZE_PAGE  main: cutoff_xid u32, ntuples u16 @4; block 0 data: ntuples x 12-byte xl_heap_freeze_tuple
 *              {xmax u32 @0, offset u16 @4, t_infomask2 u16 @6, t_infomask u16 @8, frzflags u8 @10, pad}
 * VISIBLE      main: cutoff_xid u32, flags u8 @4; block 0 = the VM page, block 1 = the heap page
 * MULTI_INSERT main: flags u8 @0, ntuples u16 @2, offsets u16[ntuples] @4 (absent with INIT_PAGE);
 *              block 0 data per tuple, each SHORTALIGNed from the start of the block data:
 *              xl_multi_insert_tuple {datalen u16, t_infomask2 u16, t_infomask u16, t_hoff u8}, datalen bytes
 * LOCK_UPDATED main: xmax u32, offnum u16 @4, infobits_set u8 @6, flags u8 @7
 * </pre>
 * NEW_CID and REWRITE reference no block.
 *
 * @param hintBitsLogged PostgreSQL's {@code XLogHintBitIsNeeded()} on the primary (data checksums or
 *                       wal_log_hints): VISIBLE sets the heap page LSN only then
 */
public record Heap2Redo(boolean hintBitsLogged) implements RmgrRedo {
    public static final int RM_HEAP2_ID = 9;

    public static final int XLOG_HEAP2_REWRITE = 0x00;
    public static final int XLOG_HEAP2_PRUNE = 0x10;
    public static final int XLOG_HEAP2_VACUUM = 0x20;
    public static final int XLOG_HEAP2_FREEZE_PAGE = 0x30;
    public static final int XLOG_HEAP2_VISIBLE = 0x40;
    public static final int XLOG_HEAP2_MULTI_INSERT = 0x50;
    public static final int XLOG_HEAP2_LOCK_UPDATED = 0x60;
    public static final int XLOG_HEAP2_NEW_CID = 0x70;

    public static final int XLH_INSERT_ALL_VISIBLE_CLEARED = 0x01;
    public static final int XLH_INSERT_ALL_FROZEN_SET = 0x20;
    public static final int XLH_FREEZE_XVAC = 0x02;
    public static final int XLH_INVALID_XVAC = 0x04;

    private static final int FREEZE_TUPLE_SIZE = 12;
    private static final int MULTI_INSERT_TUPLE_SIZE = 7;

    @Override
    public void redo(DecodedRecord rec, int blockId, byte[] page) {
        int info = rec.rmgrInfo();
        switch (info & HeapRedo.XLOG_HEAP_OPMASK) {
            case XLOG_HEAP2_PRUNE -> prune(rec, page);
            case XLOG_HEAP2_VACUUM -> vacuum(rec, page);
            case XLOG_HEAP2_FREEZE_PAGE -> freeze(rec, page);
            case XLOG_HEAP2_VISIBLE -> visible(rec, blockId, page);
            case XLOG_HEAP2_MULTI_INSERT -> multiInsert(rec, page);
            case XLOG_HEAP2_LOCK_UPDATED -> lockUpdated(rec, page);
            default -> throw new RedoException("heap2 record type 0x" + Integer.toHexString(info)
                    + " changes no page");
        }
    }

    /** The VM block of VISIBLE is read with RBM_ZERO_ON_ERROR: a missing or all-zero page is redone. */
    @Override
    public boolean readsMissingAsZeros(DecodedRecord rec, int blockId) {
        return (rec.rmgrInfo() & HeapRedo.XLOG_HEAP_OPMASK) == XLOG_HEAP2_VISIBLE && blockId == 0;
    }

    @Override
    public void mask(byte[] page, int blkno) {
        HeapMask.mask(page, blkno);
    }

    private static void prune(DecodedRecord rec, byte[] page) {
        byte[] raw = rec.raw();
        int md = rec.mainDataOffset();
        int nredirected = u16(raw, md + 4);
        int ndead = u16(raw, md + 6);
        BlockRef blk = rec.block(0);
        int p = blk.dataOffset();
        int nunused = blk.dataLength() / 2 - 2 * nredirected - ndead;
        if (nunused < 0) {
            throw new RedoException("prune data of " + blk.dataLength() + " bytes holds fewer than "
                    + nredirected + " redirects and " + ndead + " dead items");
        }
        for (int i = 0; i < nredirected; i++, p += 4) {
            int from = u16(raw, p);
            checkLinePointer(page, from);
            PageOps.itemIdSetRedirect(page, from, u16(raw, p + 2));
        }
        for (int i = 0; i < ndead; i++, p += 2) {
            int off = u16(raw, p);
            checkLinePointer(page, off);
            PageOps.itemIdSetDead(page, off);
        }
        for (int i = 0; i < nunused; i++, p += 2) {
            int off = u16(raw, p);
            checkLinePointer(page, off);
            PageOps.itemIdSetUnused(page, off);
        }
        PageOps.pageRepairFragmentation(page);
        PageOps.pageSetLSN(page, rec.endLsn());
    }

    private static void vacuum(DecodedRecord rec, byte[] page) {
        byte[] raw = rec.raw();
        int nunused = u16(raw, rec.mainDataOffset());
        BlockRef blk = rec.block(0);
        if (blk.dataLength() < 2 * nunused) {
            throw new RedoException("vacuum data of " + blk.dataLength() + " bytes holds fewer than " + nunused
                    + " offsets");
        }
        for (int i = 0, p = blk.dataOffset(); i < nunused; i++, p += 2) {
            int off = u16(raw, p);
            checkLinePointer(page, off);
            PageOps.itemIdSetUnused(page, off);
        }
        PageOps.pageTruncateLinePointerArray(page);
        PageOps.pageSetLSN(page, rec.endLsn());
    }

    private static void freeze(DecodedRecord rec, byte[] page) {
        byte[] raw = rec.raw();
        int ntuples = u16(raw, rec.mainDataOffset() + 4);
        BlockRef blk = rec.block(0);
        if (blk.dataLength() < ntuples * FREEZE_TUPLE_SIZE) {
            throw new RedoException("freeze data of " + blk.dataLength() + " bytes holds fewer than " + ntuples
                    + " 12-byte entries");
        }
        for (int i = 0, p = blk.dataOffset(); i < ntuples; i++, p += FREEZE_TUPLE_SIZE) {
            int offnum = u16(raw, p + 4);
            int t = normalTuple(page, offnum);
            setXmax(page, t, i32(raw, p));
            int frzflags = u8(raw, p + 10);
            if ((frzflags & XLH_FREEZE_XVAC) != 0) {
                setXvac(page, t, Xids.FROZEN_TRANSACTION_ID);
            }
            if ((frzflags & XLH_INVALID_XVAC) != 0) {
                setXvac(page, t, Xids.INVALID_TRANSACTION_ID);
            }
            setInfomask(page, t, u16(raw, p + 8));
            setInfomask2(page, t, u16(raw, p + 6));
        }
        PageOps.pageSetLSN(page, rec.endLsn());
    }

    private void visible(DecodedRecord rec, int blockId, byte[] page) {
        if (blockId == 1) {
            PageOps.pageSetAllVisible(page);
            if (hintBitsLogged) {
                PageOps.pageSetLSN(page, rec.endLsn());
            }
            return;
        }
        BlockRef heap = rec.block(1);
        if (heap == null) {
            throw new RedoException("VISIBLE record without its heap block (block 1)");
        }
        VisibilityMap.initIfNew(page);
        int flags = u8(rec.raw(), rec.mainDataOffset() + 4);
        if (VisibilityMap.mapBlock(heap.blkno()) != rec.block(0).blkno()) {
            throw new RedoException("heap block " + Integer.toUnsignedString(heap.blkno())
                    + " is not mapped by VM block " + Integer.toUnsignedString(rec.block(0).blkno()));
        }
        if (Long.compareUnsigned(rec.endLsn(), PageOps.pageGetLSN(page)) > 0) {
            VisibilityMap.set(page, heap.blkno(), flags, rec.endLsn());
        }
    }

    private static void multiInsert(DecodedRecord rec, byte[] page) {
        byte[] raw = rec.raw();
        int md = rec.mainDataOffset();
        int flags = u8(raw, md);
        int ntuples = u16(raw, md + 2);
        boolean isInit = (rec.rmgrInfo() & HeapRedo.XLOG_HEAP_INIT_PAGE) != 0;
        BlockRef blk = rec.block(0);
        if (isInit) {
            PageOps.pageInit(page, 0);
        } else if (rec.mainDataLength() < 4 + 2 * ntuples) {
            throw new RedoException("multi-insert main data of " + rec.mainDataLength() + " bytes lacks offsets for "
                    + ntuples + " tuples");
        }
        int start = blk.dataOffset();
        int end = start + blk.dataLength();
        int p = start;
        for (int i = 0; i < ntuples; i++) {
            int offnum = isInit ? 1 + i : u16(raw, md + 4 + 2 * i);
            if (PageOps.pageGetMaxOffsetNumber(page) + 1 < offnum) {
                throw new RedoException("invalid max offset number: offset " + offnum + " on a page with "
                        + PageOps.pageGetMaxOffsetNumber(page) + " line pointers");
            }
            p = start + shortAlign(p - start);
            int datalen = u16(raw, p);
            if (p + MULTI_INSERT_TUPLE_SIZE + datalen > end) {
                throw new RedoException("multi-insert tuple " + i + " runs past the block data");
            }
            byte[] t = new byte[SIZEOF_HEAP_TUPLE_HEADER + datalen];
            System.arraycopy(raw, p + MULTI_INSERT_TUPLE_SIZE, t, SIZEOF_HEAP_TUPLE_HEADER, datalen);
            // xl_multi_insert_tuple carries infomask2, infomask, hoff at +2: the xl_heap_header layout
            HeapRedo.fillHeader(t, raw, p + 2, rec.xid(), blk.blkno(), offnum);
            HeapRedo.addTuple(page, t, offnum);
            p += MULTI_INSERT_TUPLE_SIZE + datalen;
        }
        if (p != end) {
            throw new RedoException("total tuple length mismatch: " + (p - start) + " of " + blk.dataLength()
                    + " bytes used");
        }
        PageOps.pageSetLSN(page, rec.endLsn());
        if ((flags & XLH_INSERT_ALL_VISIBLE_CLEARED) != 0) {
            PageOps.pageClearAllVisible(page);
        }
        if ((flags & XLH_INSERT_ALL_FROZEN_SET) != 0) {
            PageOps.pageSetAllVisible(page);
        }
    }

    private static void lockUpdated(DecodedRecord rec, byte[] page) {
        byte[] raw = rec.raw();
        int md = rec.mainDataOffset();
        int t = normalTuple(page, u16(raw, md + 4));
        clearXmaxBits(page, t);
        fixInfomaskFromInfobits(page, t, u8(raw, md + 6));
        setXmax(page, t, i32(raw, md));
        PageOps.pageSetLSN(page, rec.endLsn());
    }
}

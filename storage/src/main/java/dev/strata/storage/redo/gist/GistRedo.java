package dev.strata.storage.redo.gist;

import dev.strata.storage.redo.page.Bytes;
import dev.strata.storage.redo.page.PageOps;
import dev.strata.storage.redo.RedoException;
import dev.strata.storage.redo.UnsupportedRecordException;
import dev.strata.storage.redo.mask.BufMask;
import dev.strata.storage.redo.nbtree.IndexPage;
import dev.strata.storage.redo.nbtree.IndexRedoSupport;
import dev.strata.storage.redo.nbtree.IndexRmgrRedo;
import dev.strata.storage.wal.DecodedRecord;

/**
 * GiST (resource manager 14) redo and {@code gist_mask}, after PostgreSQL 15's {@code gistxlog.c}, one block at a
 * time.
 *
 * <p>Special space, GISTPageOpaqueData (16 bytes at pd_special = 8176): nsn (xlogid u32 @0, xrecoff u32 @4),
 * rightlink u32 @8, flags u16 @12 (LEAF 1, DELETED 2, TUPLES_DELETED 4, FOLLOW_RIGHT 8, HAS_GARBAGE 0x10),
 * gist_page_id u16 = 0xFF81 @14. A deleted page has pd_lower = 32 and its FullTransactionId deleteXid at offset 24.
 * <pre>
 * 0x00 PAGE_UPDATE   main data: ntodelete u16 @0, ntoinsert u16 @2. Block 0 data: ntodelete offsets u16, then the
 *                    tuples (IndexTupleSize bytes each). Block 1: the left child whose split this finishes.
 * 0x10 DELETE        main data: latestRemovedXid u32 @0, ntodelete u16 @4, then the offsets u16. Block 0.
 * 0x20 PAGE_REUSE    no block
 * 0x30 PAGE_SPLIT    main data gistxlogPageSplit (24 bytes): origrlink u32 @0, orignsn u64 @8, origleaf bool @16,
 *                    npage u16 @18, markfollowright bool @20. Blocks 1..npage (will-init) are the split pages in
 *                    order, each with data: ntuples i32, then the tuples. Block 0: the left child whose split this
 *                    finishes, if any.
 * 0x60 PAGE_DELETE   main data: deleteXid u64 @0, downlinkOffset u16 @8. Block 0 the deleted leaf, 1 its parent.
 * 0x70 ASSIGN_LSN    no block
 * </pre>
 *
 * <p>Finishing a child's split sets its NSN to the record's end LSN and clears FOLLOW_RIGHT. The primary does that
 * after writing the record, so a full-page image of the child lacks it and PostgreSQL applies the step to a restored
 * page too: {@link #afterImageRestore}.
 */
public final class GistRedo extends IndexRmgrRedo {
    public static final int RM_GIST_ID = 14;

    public static final int PAGE_UPDATE = 0x00;
    public static final int DELETE = 0x10;
    public static final int PAGE_REUSE = 0x20;
    public static final int PAGE_SPLIT = 0x30;
    public static final int PAGE_DELETE = 0x60;
    public static final int ASSIGN_LSN = 0x70;

    static final int SPECIAL_SIZE = 16;
    static final int F_LEAF = 1;
    static final int F_DELETED = 2;
    static final int F_TUPLES_DELETED = 4;
    static final int F_FOLLOW_RIGHT = 8;
    static final int F_HAS_GARBAGE = 0x10;
    static final int GIST_PAGE_ID = 0xFF81;
    static final int GIST_ROOT_BLKNO = 0;

    /** The record type's name as pg_waldump prints it. */
    public static String typeName(int info) {
        switch (info & 0xF0) {
            case PAGE_UPDATE: return "PAGE_UPDATE";
            case DELETE: return "DELETE";
            case PAGE_REUSE: return "PAGE_REUSE";
            case PAGE_SPLIT: return "PAGE_SPLIT";
            case PAGE_DELETE: return "PAGE_DELETE";
            case ASSIGN_LSN: return "ASSIGN_LSN";
            default: return "UNKNOWN_0x" + Integer.toHexString(info & 0xF0);
        }
    }

    public GistRedo() {
        super("Gist");
    }

    @Override
    protected String recordTypeName(int info) {
        return typeName(info);
    }

    /**
     * The step PostgreSQL applies to the left child of a finished split even after restoring its image (PAGE_UPDATE
     * block 1, PAGE_SPLIT block 0): NSN and LSN become the record's end LSN, FOLLOW_RIGHT is cleared.
     *
     * @return whether this record type changes a restored block
     */
    public boolean afterImageRestore(DecodedRecord record, int blockId, byte[] page) {
        int info = record.rmgrInfo();
        if (!(info == PAGE_UPDATE && blockId == 1 || info == PAGE_SPLIT && blockId == 0)) {
            return false;
        }
        redo(record, blockId, page);
        return true;
    }

    @Override
    protected boolean apply(DecodedRecord r, int info, int blockId, byte[] page) {
        switch (info) {
            case PAGE_UPDATE -> {
                if (blockId == 1) {
                    clearFollowRight(r, page);
                } else {
                    IndexRedoSupport.only(blockId, 0);
                    pageUpdate(r, page);
                }
            }
            case DELETE -> {
                IndexRedoSupport.only(blockId, 0);
                delete(r, page);
            }
            case PAGE_SPLIT -> {
                if (blockId == 0) {
                    clearFollowRight(r, page);
                } else {
                    GistSplitRedo.splitPage(r, blockId, page);
                }
            }
            case PAGE_DELETE -> pageDelete(r, blockId, page);
            case PAGE_REUSE, ASSIGN_LSN -> throw new RedoException("this record type references no block");
            default -> throw new UnsupportedRecordException("unknown gist op code 0x"
                    + Integer.toHexString(info));
        }
        return true;
    }

    static int flags(byte[] page) {
        return Bytes.u16(page, IndexPage.opaque(page, SPECIAL_SIZE) + 12);
    }

    static void setFlags(byte[] page, int flags) {
        Bytes.putU16(page, IndexPage.special(page) + 12, flags);
    }

    static void setNsn(byte[] page, long nsn) {
        int o = IndexPage.opaque(page, SPECIAL_SIZE);
        Bytes.putI32(page, o, (int) (nsn >>> 32));
        Bytes.putI32(page, o + 4, (int) nsn);
    }

    static void check(byte[] page) {
        if (IndexPage.special(page) != PageOps.BLCKSZ - SPECIAL_SIZE) {
            throw new RedoException("not a GiST page: pd_special is " + IndexPage.special(page));
        }
    }

    /** {@code gistRedoClearFollowRight}. */
    private static void clearFollowRight(DecodedRecord r, byte[] page) {
        check(page);
        setNsn(page, r.endLsn());
        setFlags(page, flags(page) & ~F_FOLLOW_RIGHT);
    }

    /** {@code gistRedoPageUpdateRecord}: a one-for-one replacement overwrites in place, as gistplacetopage does. */
    private static void pageUpdate(DecodedRecord r, byte[] page) {
        check(page);
        byte[] raw = r.raw();
        int md = IndexRedoSupport.mainData(r, 4);
        int ntodelete = Bytes.u16(raw, md);
        int ntoinsert = Bytes.u16(raw, md + 2);
        int len = IndexRedoSupport.blockDataLength(r, 0);
        int begin = ntodelete + ntoinsert == 0 && len == 0 ? 0 : IndexRedoSupport.blockData(r, 0, 2 * ntodelete);
        int end = begin + len;
        int pos = begin;
        if (ntodelete == 1 && ntoinsert == 1) {
            int offnum = Bytes.u16(raw, pos);
            pos += 2;
            IndexRedoSupport.checkRange(pos, IndexRedoSupport.INDEX_TUPLE_HEADER, begin, end, "tuple");
            int size = IndexRedoSupport.indexTupleSize(raw, pos);
            IndexRedoSupport.checkRange(pos, size, begin, end, "tuple");
            IndexPage.pageIndexTupleOverwrite(page, offnum, raw, pos, size);
            return;
        }
        if (ntodelete > 0) {
            IndexRedoSupport.checkRange(pos, 2 * ntodelete, begin, end, "offset array");
            IndexPage.pageIndexMultiDelete(page, IndexRedoSupport.u16Array(raw, pos, ntodelete), ntodelete);
            pos += 2 * ntodelete;
            if ((flags(page) & F_LEAF) != 0) {
                setFlags(page, flags(page) | F_TUPLES_DELETED);
            }
        }
        if (pos < end) {
            addTuples(page, raw, pos, end, IndexPage.isEmpty(page) ? 1 : IndexPage.maxOffset(page) + 1);
        }
    }

    /** Adds the tuples in {@code [pos, end)} of {@code raw} at consecutive offsets from {@code off}. */
    static int addTuples(byte[] page, byte[] raw, int pos, int end, int off) {
        int start = pos;
        int n = 0;
        while (pos < end) {
            IndexRedoSupport.checkRange(pos, IndexRedoSupport.INDEX_TUPLE_HEADER, start, end, "tuple");
            int size = IndexRedoSupport.indexTupleSize(raw, pos);
            if (size == 0) {
                throw new RedoException("zero-length index tuple in the record");
            }
            IndexRedoSupport.checkRange(pos, size, start, end, "tuple");
            IndexPage.pageAddItem(page, raw, pos, size, off++, false);
            pos += size;
            n++;
        }
        return n;
    }

    /**
     * DELETE: LP_DEAD tuples removed at insertion time ({@code gistprunepage}), and HAS_GARBAGE cleared.
     *
     * <p>Deliberate difference from {@code gistRedoDeleteRecord}: PostgreSQL 15's redo also sets F_TUPLES_DELETED,
     * which the primary's {@code gistprunepage} never does, so a PostgreSQL standby's page differs from the
     * primary's in that bit (gist_mask does not hide it; nothing reads it). Strata keeps the primary's page.
     */
    private static void delete(DecodedRecord r, byte[] page) {
        check(page);
        byte[] raw = r.raw();
        int md = IndexRedoSupport.mainData(r, 6);
        if (r.mainDataLength() > 6) {
            int n = Bytes.u16(raw, md + 4);
            IndexRedoSupport.checkRange(md + 6, 2 * n, md, md + r.mainDataLength(), "offset array");
            IndexPage.pageIndexMultiDelete(page, IndexRedoSupport.u16Array(raw, md + 6, n), n);
        }
        setFlags(page, flags(page) & ~F_HAS_GARBAGE);
    }

    /** PAGE_DELETE: block 0 becomes a deleted page, block 1 loses the downlink. */
    private static void pageDelete(DecodedRecord r, int blockId, byte[] page) {
        check(page);
        byte[] raw = r.raw();
        int md = IndexRedoSupport.mainData(r, 10);
        if (blockId == 0) {
            setFlags(page, flags(page) | F_DELETED);
            IndexPage.setLower(page, PageOps.SIZE_OF_PAGE_HEADER + 8);
            Bytes.putI64(page, PageOps.SIZE_OF_PAGE_HEADER, Bytes.i64(raw, md));
        } else if (blockId == 1) {
            IndexPage.pageIndexTupleDelete(page, Bytes.u16(raw, md + 8));
        } else {
            throw new RedoException("PAGE_DELETE references block ids 0 and 1");
        }
    }

    /**
     * {@code gist_mask}: LSN and checksum, hint bits and unused space; NSN; FOLLOW_RIGHT always set (it is cleared
     * after the record is written); line pointer flags on leaves; HAS_GARBAGE cleared.
     */
    @Override
    public void mask(byte[] page, int blkno) {
        BufMask.maskPageLsnAndChecksum(page);
        BufMask.maskPageHintBits(page);
        BufMask.maskUnusedSpace(page);
        setNsn(page, 0);
        setFlags(page, flags(page) | F_FOLLOW_RIGHT);
        if ((flags(page) & F_LEAF) != 0) {
            BufMask.maskLpFlags(page);
        }
        setFlags(page, flags(page) & ~F_HAS_GARBAGE);
    }
}

package dev.strata.storage.redo.brin;

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
 * BRIN (resource manager 17) redo and {@code brin_mask}, after PostgreSQL 15's {@code brin_xlog.c}, one block at a
 * time. The opcode is {@code info & 0x70}; 0x80 (INIT_PAGE) on INSERT and UPDATE means block 0 is rebuilt first.
 *
 * <p>Pages: special space of four u16 (8 bytes at pd_special = 8184); flags in the third (@4, EVACUATE_PAGE 1), page
 * type in the fourth (@6: META 0xF091, REVMAP 0xF092, REGULAR 0xF093). Metapage (block 0), BrinMetaPageData at 24:
 * brinMagic u32 (0xA8109CFA) @0, brinVersion @4, pagesPerRange @8, lastRevmapPage @12; pd_lower = 40. Revmap page:
 * 1360 ItemPointerData from offset 24, entry (heapBlk / pagesPerRange) % 1360 pointing at the range's summary
 * tuple; pd_lower stays 24. Regular pages hold the summary tuples.
 * <pre>
 * 0x00 CREATE_INDEX     main: pagesPerRange u32 @0, version u16 @4. Block 0 the metapage.
 * 0x10 INSERT           main: heapBlk u32 @0, pagesPerRange u32 @4, offnum u16 @8. Block 0 the regular page (data:
 *                       the tuple, added at offnum into an unused slot), block 1 the revmap page.
 * 0x20 UPDATE           main: oldOffnum u16 @0, then INSERT's fields @4. As INSERT, plus block 2 the old tuple's
 *                       page (the tuple removed, its slot left unused).
 * 0x30 SAMEPAGE_UPDATE  main: offnum u16. Block 0: the tuple (block data) overwrites it in place.
 * 0x40 REVMAP_EXTEND    main: targetBlk u32. Block 0 the metapage, block 1 the new revmap page.
 * 0x50 DESUMMARIZE      main: pagesPerRange u32 @0, heapBlk u32 @4, regOffset u16 @8. Block 0 the revmap page,
 *                       block 1 the regular page.
 * </pre>
 */
public final class BrinRedo extends IndexRmgrRedo {
    public static final int RM_BRIN_ID = 17;

    public static final int CREATE_INDEX = 0x00;
    public static final int INSERT = 0x10;
    public static final int UPDATE = 0x20;
    public static final int SAMEPAGE_UPDATE = 0x30;
    public static final int REVMAP_EXTEND = 0x40;
    public static final int DESUMMARIZE = 0x50;
    public static final int OPMASK = 0x70;
    public static final int INIT_PAGE = 0x80;

    static final int SPECIAL_SIZE = 8;
    static final int PAGETYPE_META = 0xF091;
    static final int PAGETYPE_REVMAP = 0xF092;
    static final int PAGETYPE_REGULAR = 0xF093;
    static final int EVACUATE_PAGE = 1;
    static final int REVMAP_PAGE_MAXITEMS = 1360;
    private static final int META_MAGIC = 0xA8109CFA;

    private static final String[] NAMES = {"CREATE_INDEX", "INSERT", "UPDATE", "SAMEPAGE_UPDATE", "REVMAP_EXTEND",
        "DESUMMARIZE"};

    /** The record type's name as pg_waldump prints it ("INSERT+INIT" with INIT_PAGE). */
    public static String typeName(int info) {
        int op = (info & OPMASK) >>> 4;
        String name = op < NAMES.length ? NAMES[op] : "UNKNOWN_0x" + Integer.toHexString(info & OPMASK);
        return (info & INIT_PAGE) != 0 ? name + "+INIT" : name;
    }

    public BrinRedo() {
        super("BRIN");
    }

    @Override
    protected String recordTypeName(int info) {
        return typeName(info);
    }

    @Override
    protected boolean apply(DecodedRecord r, int info, int blockId, byte[] page) {
        byte[] raw = r.raw();
        switch (info & OPMASK) {
            case CREATE_INDEX -> {
                IndexRedoSupport.only(blockId, 0);
                int md = IndexRedoSupport.mainData(r, 6);
                pageInit(page, PAGETYPE_META);
                int m = PageOps.SIZE_OF_PAGE_HEADER;
                Bytes.putI32(page, m, META_MAGIC);
                Bytes.putI32(page, m + 4, Bytes.u16(raw, md + 4));
                Bytes.putI32(page, m + 8, Bytes.i32(raw, md));
                Bytes.putI32(page, m + 12, 0);
                IndexPage.setLower(page, m + 16);
            }
            case INSERT -> insertUpdate(r, info, blockId, page, IndexRedoSupport.mainData(r, 10));
            case UPDATE -> {
                int md = IndexRedoSupport.mainData(r, 14);
                if (blockId == 2) {
                    check(page);
                    IndexPage.pageIndexTupleDeleteNoCompact(page, Bytes.u16(raw, md));
                } else {
                    insertUpdate(r, info, blockId, page, md + 4);
                }
            }
            case SAMEPAGE_UPDATE -> {
                IndexRedoSupport.only(blockId, 0);
                check(page);
                int offnum = Bytes.u16(raw, IndexRedoSupport.mainData(r, 2));
                int len = IndexRedoSupport.blockDataLength(r, 0);
                IndexPage.pageIndexTupleOverwrite(page, offnum, raw, IndexRedoSupport.blockData(r, 0, 1), len);
            }
            case REVMAP_EXTEND -> revmapExtend(r, blockId, page);
            case DESUMMARIZE -> {
                int md = IndexRedoSupport.mainData(r, 10);
                check(page);
                if (blockId == 0) {
                    setRevmapEntry(page, Bytes.i32(raw, md), Bytes.i32(raw, md + 4), -1, 0);
                } else if (blockId == 1) {
                    IndexPage.pageIndexTupleDeleteNoCompact(page, Bytes.u16(raw, md + 8));
                } else {
                    throw new RedoException("DESUMMARIZE references block ids 0 and 1");
                }
            }
            default -> throw new UnsupportedRecordException("unknown brin op code 0x"
                    + Integer.toHexString(info));
        }
        return true;
    }

    /** {@code brin_xlog_insert_update} for the xl_brin_insert at {@code ins}. */
    private static void insertUpdate(DecodedRecord r, int info, int blockId, byte[] page, int ins) {
        byte[] raw = r.raw();
        int offnum = Bytes.u16(raw, ins + 8);
        if (blockId == 0) {
            if ((info & INIT_PAGE) != 0) {
                pageInit(page, PAGETYPE_REGULAR);
            }
            check(page);
            if (IndexPage.maxOffset(page) + 1 < offnum) {
                throw new RedoException("invalid max offset number: offset " + offnum + " past "
                        + IndexPage.maxOffset(page) + " items");
            }
            int len = IndexRedoSupport.blockDataLength(r, 0);
            IndexPage.pageAddItem(page, raw, IndexRedoSupport.blockData(r, 0, 1), len, offnum, true);
        } else if (blockId == 1) {
            check(page);
            setRevmapEntry(page, Bytes.i32(raw, ins + 4), Bytes.i32(raw, ins),
                    IndexRedoSupport.blockNumber(r, 0), offnum);
        } else {
            throw new RedoException("insert records reference block ids 0 and 1");
        }
    }

    /** REVMAP_EXTEND: the metapage's lastRevmapPage advances; the target block becomes an empty revmap page. */
    private static void revmapExtend(DecodedRecord r, int blockId, byte[] page) {
        int target = Bytes.i32(r.raw(), IndexRedoSupport.mainData(r, 4));
        if (blockId == 0) {
            check(page);
            Bytes.putI32(page, PageOps.SIZE_OF_PAGE_HEADER + 12, target);
            IndexPage.setLower(page, PageOps.SIZE_OF_PAGE_HEADER + 16);
        } else if (blockId == 1) {
            pageInit(page, PAGETYPE_REVMAP);
        } else {
            throw new RedoException("REVMAP_EXTEND references block ids 0 and 1");
        }
    }

    /** {@code brinSetHeapBlockItemptr}; an offset of 0 stores the invalid pointer. */
    private static void setRevmapEntry(byte[] page, int pagesPerRange, int heapBlk, int blkno, int offnum) {
        long range = Integer.toUnsignedLong(heapBlk) / Integer.toUnsignedLong(pagesPerRange);
        int pos = PageOps.SIZE_OF_PAGE_HEADER + 6 * (int) (range % REVMAP_PAGE_MAXITEMS);
        if (offnum != 0) {
            IndexRedoSupport.setTid(page, pos, blkno, offnum);
        } else {
            IndexRedoSupport.setTidInvalid(page, pos);
        }
    }

    /** {@code brin_page_init}. */
    private static void pageInit(byte[] page, int type) {
        IndexPage.pageInit(page, SPECIAL_SIZE);
        Bytes.putU16(page, IndexPage.special(page) + 6, type);
    }

    private static void check(byte[] page) {
        if (IndexPage.special(page) != PageOps.BLCKSZ - SPECIAL_SIZE) {
            throw new RedoException("not a BRIN page: pd_special is " + IndexPage.special(page));
        }
    }

    /**
     * {@code brin_mask}: LSN and checksum and hint bits; the unused space of regular pages and of a metapage whose
     * pd_lower is set; the EVACUATE_PAGE flag, which is not WAL-logged.
     */
    @Override
    public void mask(byte[] page, int blkno) {
        BufMask.maskPageLsnAndChecksum(page);
        BufMask.maskPageHintBits(page);
        int special = IndexPage.opaque(page, SPECIAL_SIZE);
        int type = Bytes.u16(page, special + 6);
        if (type == PAGETYPE_REGULAR
                || type == PAGETYPE_META && IndexPage.lower(page) > PageOps.SIZE_OF_PAGE_HEADER) {
            BufMask.maskUnusedSpace(page);
        }
        Bytes.putU16(page, special + 4, Bytes.u16(page, special + 4) & ~EVACUATE_PAGE);
    }
}

package dev.strata.storage.redo.gin;

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
 * GIN (resource manager 13) redo and {@code gin_mask}, after PostgreSQL 15's {@code ginxlog.c}, one block at a time.
 * <pre>
 * 0x10 CREATE_PTREE          0 new posting tree root (will-init); main data: size u32, then the segments
 * 0x20 INSERT                0 the page inserted into; 1 the child whose split this finishes (internal levels)
 * 0x30 SPLIT                 0, 1 (and 2 for a root split) carry applied images; 3 the child whose split finishes
 * 0x40 VACUUM_PAGE           0 carries an applied image
 * 0x50 DELETE_PAGE           0 deleted page, 1 parent, 2 left sibling
 * 0x60 UPDATE_META_PAGE      0 metapage (rebuilt); 1 the pending list tail
 * 0x70 INSERT_LISTPAGE       0 a pending list page (rebuilt)
 * 0x80 DELETE_LISTPAGE       0 metapage (rebuilt); 1..n pending list pages, rebuilt deleted
 * 0x90 VACUUM_DATA_LEAF_PAGE 0 posting tree leaf: {@link GinDataLeafRedo}
 * </pre>
 * Record layouts are given where each is handled ({@link GinListRedo} for the pending list).
 */
public final class GinRedo extends IndexRmgrRedo {
    public static final int RM_GIN_ID = 13;

    public static final int CREATE_PTREE = 0x10;
    public static final int INSERT = 0x20;
    public static final int SPLIT = 0x30;
    public static final int VACUUM_PAGE = 0x40;
    public static final int DELETE_PAGE = 0x50;
    public static final int UPDATE_META_PAGE = 0x60;
    public static final int INSERT_LISTPAGE = 0x70;
    public static final int DELETE_LISTPAGE = 0x80;
    public static final int VACUUM_DATA_LEAF_PAGE = 0x90;

    static final int GIN_INSERT_ISDATA = 0x01;
    static final int GIN_INSERT_ISLEAF = 0x02;
    static final int GIN_SPLIT_ROOT = 0x04;

    private static final String[] NAMES = {"UNKNOWN_0x00", "CREATE_PTREE", "INSERT", "SPLIT", "VACUUM_PAGE",
        "DELETE_PAGE", "UPDATE_META_PAGE", "INSERT_LISTPAGE", "DELETE_LISTPAGE", "VACUUM_DATA_LEAF_PAGE"};

    /** The record type's name as pg_waldump prints it. */
    public static String typeName(int info) {
        int i = (info & 0xF0) >>> 4;
        return i < NAMES.length ? NAMES[i] : "UNKNOWN_0x" + Integer.toHexString(info & 0xF0);
    }

    public GinRedo() {
        super("Gin");
    }

    @Override
    protected String recordTypeName(int info) {
        return typeName(info);
    }

    @Override
    protected boolean apply(DecodedRecord r, int info, int blockId, byte[] page) {
        switch (info) {
            case CREATE_PTREE -> createPostingTree(r, blockId, page);
            case INSERT -> {
                if (blockId == 1) {
                    clearIncompleteSplit(page);
                } else {
                    IndexRedoSupport.only(blockId, 0);
                    insert(r, page);
                }
            }
            case SPLIT -> {
                if (blockId != 3) {
                    throw new RedoException("GIN split record did not contain a full-page image of block id "
                            + blockId);
                }
                clearIncompleteSplit(page);
            }
            case VACUUM_PAGE -> throw new RedoException(
                    "replay of gin entry tree page vacuum did not restore the page");
            case DELETE_PAGE -> deletePage(r, blockId, page);
            case UPDATE_META_PAGE -> GinListRedo.updateMeta(r, blockId, page);
            case INSERT_LISTPAGE -> GinListRedo.insertListPage(r, blockId, page);
            case DELETE_LISTPAGE -> GinListRedo.deleteListPages(r, blockId, page);
            case VACUUM_DATA_LEAF_PAGE -> {
                IndexRedoSupport.only(blockId, 0);
                GinPage.check(page);
                int len = IndexRedoSupport.blockDataLength(r, 0);
                int data = IndexRedoSupport.blockData(r, 0, 2);
                GinDataLeafRedo.recompress(page, r.raw(), data, data + len);
            }
            default -> throw new UnsupportedRecordException("unknown gin op code 0x"
                    + Integer.toHexString(info));
        }
        return true;
    }

    private static void clearIncompleteSplit(byte[] page) {
        GinPage.check(page);
        GinPage.setFlags(page, GinPage.flags(page) & ~GinPage.GIN_INCOMPLETE_SPLIT);
    }

    /** CREATE_PTREE: a compressed data leaf holding the logged segments. */
    private static void createPostingTree(DecodedRecord r, int blockId, byte[] page) {
        IndexRedoSupport.only(blockId, 0);
        int md = IndexRedoSupport.mainData(r, 4);
        int size = Bytes.i32(r.raw(), md);
        IndexRedoSupport.checkRange(md + 4, size, md, md + r.mainDataLength(), "posting list");
        GinPage.initPage(page, GinPage.GIN_DATA | GinPage.GIN_LEAF | GinPage.GIN_COMPRESSED);
        GinPage.setDataSize(page, size);
        System.arraycopy(r.raw(), md + 4, page, GinPage.DATA_START, size);
    }

    /**
     * INSERT, main data: flags u16 @0 (ISDATA 0x01, ISLEAF 0x02); on internal pages then the left and right child
     * block ids (hi u16, lo u16 each) @2 and @6. Block 0 data by page kind: entry page, ginxlogInsertEntry (offset
     * u16 @0, isDelete bool @2, the index tuple @4); data leaf, ginxlogRecompressDataLeaf; internal data page,
     * ginxlogInsertDataInternal (offset u16 @0, the new PostingItem @2).
     */
    private static void insert(DecodedRecord r, byte[] page) {
        GinPage.check(page);
        byte[] raw = r.raw();
        int md = IndexRedoSupport.mainData(r, 2);
        int flags = Bytes.u16(raw, md);
        boolean leaf = (flags & GIN_INSERT_ISLEAF) != 0;
        int rightChild = IndexPage.INVALID_BLOCK;
        if (!leaf) {
            IndexRedoSupport.mainData(r, 10);
            rightChild = IndexRedoSupport.tidBlock(raw, md + 6);
        }
        int len = IndexRedoSupport.blockDataLength(r, 0);
        int data = IndexRedoSupport.blockData(r, 0, 2);
        if ((flags & GIN_INSERT_ISDATA) != 0) {
            if (leaf) {
                GinDataLeafRedo.recompress(page, raw, data, data + len);
            } else {
                IndexRedoSupport.checkRange(data, 2 + GinPage.POSTING_ITEM_SIZE, data, data + len, "posting item");
                insertPostingItem(page, Bytes.u16(raw, data), rightChild, raw, data + 2);
            }
        } else {
            IndexRedoSupport.checkRange(data, 4 + IndexRedoSupport.INDEX_TUPLE_HEADER, data, data + len, "entry");
            insertEntry(page, raw, data, len, rightChild);
        }
    }

    /** {@code ginRedoInsertEntry}. */
    private static void insertEntry(byte[] page, byte[] raw, int data, int len, int rightChild) {
        int offset = Bytes.u16(raw, data);
        boolean isDelete = raw[data + 2] != 0;
        if (rightChild != IndexPage.INVALID_BLOCK) {
            IndexRedoSupport.setTid(page, IndexPage.item(page, offset), rightChild, 0);
        }
        if (isDelete) {
            IndexPage.pageIndexTupleDelete(page, offset);
        }
        int tup = data + 4;
        int size = IndexRedoSupport.indexTupleSize(raw, tup);
        IndexRedoSupport.checkRange(tup, size, data, data + len, "entry tuple");
        IndexPage.pageAddItem(page, raw, tup, size, offset, false);
    }

    /** The downlink at {@code offset} now points at the right half; the new item goes in before it. */
    private static void insertPostingItem(byte[] page, int offset, int rightChild, byte[] raw, int item) {
        int maxoff = GinPage.maxoff(page);
        if (offset < 1 || offset > maxoff + 1) {
            throw new RedoException("posting item offset " + offset + " outside 1.." + (maxoff + 1));
        }
        if (offset <= maxoff) {
            IndexRedoSupport.setTidBlock(page, GinPage.postingItem(offset), rightChild);
        }
        int at = GinPage.postingItem(offset);
        if (offset != maxoff + 1) {
            System.arraycopy(page, at, page, at + GinPage.POSTING_ITEM_SIZE,
                    (maxoff - offset + 1) * GinPage.POSTING_ITEM_SIZE);
        }
        System.arraycopy(raw, item, page, at, GinPage.POSTING_ITEM_SIZE);
        GinPage.setMaxoff(page, maxoff + 1);
        GinPage.setDataSize(page, (maxoff + 1) * GinPage.POSTING_ITEM_SIZE);
    }

    /** DELETE_PAGE, main data: parentOffset u16 @0, rightLink u32 @4, deleteXid u32 @8. */
    private static void deletePage(DecodedRecord r, int blockId, byte[] page) {
        byte[] raw = r.raw();
        int md = IndexRedoSupport.mainData(r, 12);
        GinPage.check(page);
        switch (blockId) {
            case 0 -> {
                GinPage.setFlags(page, GinPage.flags(page) | GinPage.GIN_DELETED);
                IndexPage.setPruneXid(page, Bytes.i32(raw, md + 8));
            }
            case 1 -> {
                int offset = Bytes.u16(raw, md);
                int maxoff = GinPage.maxoff(page);
                if (offset < 1 || offset > maxoff) {
                    throw new RedoException("parent posting item " + offset + " outside 1.." + maxoff);
                }
                if (offset != maxoff) {
                    System.arraycopy(page, GinPage.postingItem(offset + 1), page, GinPage.postingItem(offset),
                            GinPage.POSTING_ITEM_SIZE * (maxoff - offset));
                }
                GinPage.setMaxoff(page, maxoff - 1);
                GinPage.setDataSize(page, (maxoff - 1) * GinPage.POSTING_ITEM_SIZE);
            }
            case 2 -> GinPage.setRightlink(page, Bytes.i32(raw, md + 4));
            default -> throw new RedoException("DELETE_PAGE references block ids 0..2");
        }
    }

    /**
     * {@code gin_mask}: LSN and checksum and hint bits; everything on a deleted page; the unused space on others
     * whose pd_lower is past the header.
     */
    @Override
    public void mask(byte[] page, int blkno) {
        BufMask.maskPageLsnAndChecksum(page);
        BufMask.maskPageHintBits(page);
        if ((GinPage.flags(page) & GinPage.GIN_DELETED) != 0) {
            BufMask.maskPageContent(page);
        } else if (IndexPage.lower(page) > PageOps.SIZE_OF_PAGE_HEADER) {
            BufMask.maskUnusedSpace(page);
        }
    }
}

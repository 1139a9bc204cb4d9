package dev.strata.storage.redo.nbtree;

import dev.strata.storage.redo.page.Bytes;
import dev.strata.storage.redo.RedoException;
import dev.strata.storage.redo.UnsupportedRecordException;
import dev.strata.storage.redo.mask.BufMask;
import dev.strata.storage.wal.DecodedRecord;

import java.util.Arrays;

/**
 * Btree (resource manager 11) redo and {@code btree_mask}, after PostgreSQL 15's {@code nbtxlog.c}, one block at a
 * time: every block's change is computed from the record's main data and that block's own data.
 *
 * <p>Record types and the blocks they change (main data layouts in the handling methods and classes):
 * <pre>
 * 0x00 INSERT_LEAF        0 leaf: add the tuple (block data) at offnum
 * 0x10 INSERT_UPPER       0 internal page: add the downlink; 1 child: clear INCOMPLETE_SPLIT
 * 0x20 INSERT_META        as INSERT_UPPER, plus 2 metapage: rebuilt from xl_btree_metadata
 * 0x30 SPLIT_L / 0x40 SPLIT_R   {@link BtSplitRedo}
 * 0x50 INSERT_POST        0 leaf: posting list split, then add the final new item
 * 0x60 DEDUP              {@link BtDedupRedo}
 * 0x70 DELETE / 0xC0 VACUUM     0 leaf: update posting lists, then delete items
 * 0x80 UNLINK_PAGE / 0x90 UNLINK_PAGE_META   0 target (deleted page), 1 left sibling, 2 right sibling,
 *                         3 half-dead leaf (internal targets), 4 metapage (META)
 * 0xA0 NEWROOT            0 new root, 1 left child (INCOMPLETE_SPLIT cleared), 2 metapage
 * 0xB0 MARK_PAGE_HALFDEAD 0 leaf (rebuilt half-dead), 1 top parent: drop the downlink after poffset
 * 0xD0 REUSE_PAGE         no block (a hot-standby conflict point only)
 * 0xE0 META_CLEANUP       0 metapage
 * </pre>
 */
public final class BtreeRedo extends IndexRmgrRedo {
    public static final int RM_BTREE_ID = 11;

    public static final int INSERT_LEAF = 0x00;
    public static final int INSERT_UPPER = 0x10;
    public static final int INSERT_META = 0x20;
    public static final int SPLIT_L = 0x30;
    public static final int SPLIT_R = 0x40;
    public static final int INSERT_POST = 0x50;
    public static final int DEDUP = 0x60;
    public static final int DELETE = 0x70;
    public static final int UNLINK_PAGE = 0x80;
    public static final int UNLINK_PAGE_META = 0x90;
    public static final int NEWROOT = 0xA0;
    public static final int MARK_PAGE_HALFDEAD = 0xB0;
    public static final int VACUUM = 0xC0;
    public static final int REUSE_PAGE = 0xD0;
    public static final int META_CLEANUP = 0xE0;

    /** The record type's name as pg_waldump prints it. */
    public static String typeName(int info) {
        switch (info & 0xF0) {
            case INSERT_LEAF: return "INSERT_LEAF";
            case INSERT_UPPER: return "INSERT_UPPER";
            case INSERT_META: return "INSERT_META";
            case SPLIT_L: return "SPLIT_L";
            case SPLIT_R: return "SPLIT_R";
            case INSERT_POST: return "INSERT_POST";
            case DEDUP: return "DEDUP";
            case DELETE: return "DELETE";
            case UNLINK_PAGE: return "UNLINK_PAGE";
            case UNLINK_PAGE_META: return "UNLINK_PAGE_META";
            case NEWROOT: return "NEWROOT";
            case MARK_PAGE_HALFDEAD: return "MARK_PAGE_HALFDEAD";
            case VACUUM: return "VACUUM";
            case REUSE_PAGE: return "REUSE_PAGE";
            case META_CLEANUP: return "META_CLEANUP";
            default: return "UNKNOWN_0x" + Integer.toHexString(info & 0xF0);
        }
    }

    public BtreeRedo() {
        super("Btree");
    }

    @Override
    protected String recordTypeName(int info) {
        return typeName(info);
    }

    @Override
    protected boolean apply(DecodedRecord r, int info, int blockId, byte[] page) {
        switch (info) {
            case INSERT_LEAF, INSERT_UPPER, INSERT_META -> insert(r, info, blockId, page);
            case INSERT_POST -> {
                requireBlock(blockId, 0);
                insertPost(r, page);
            }
            case SPLIT_L, SPLIT_R -> split(r, info == SPLIT_L, blockId, page);
            case DEDUP -> {
                requireBlock(blockId, 0);
                BtDedupRedo.apply(r, page);
            }
            case VACUUM, DELETE -> {
                requireBlock(blockId, 0);
                deleteItems(r, info == VACUUM ? 0 : 4, page);
            }
            case MARK_PAGE_HALFDEAD -> markHalfDead(r, blockId, page);
            case UNLINK_PAGE, UNLINK_PAGE_META -> BtUnlinkRedo.apply(r, info == UNLINK_PAGE_META, blockId, page);
            case NEWROOT -> newRoot(r, blockId, page);
            case META_CLEANUP -> {
                requireBlock(blockId, 0);
                restoreMeta(r, 0, page);
            }
            case REUSE_PAGE -> throw new RedoException("REUSE_PAGE references no block, block id " + blockId
                    + " given");
            default -> throw new UnsupportedRecordException("unknown btree op code 0x"
                    + Integer.toHexString(info));
        }
        // the page LSN is set by each step, as in PostgreSQL
        return false;
    }

    private static void requireBlock(int blockId, int expected) {
        if (blockId != expected) {
            throw new RedoException("this record type changes only block id " + expected);
        }
    }

    /** INSERT_LEAF/UPPER/META: main data offnum u16; block 0 data the new tuple. */
    private static void insert(DecodedRecord r, int info, int blockId, byte[] page) {
        switch (blockId) {
            case 0 -> {
                BtPage.checkBtreePage(page);
                int offnum = Bytes.u16(r.raw(), IndexRedoSupport.mainData(r, 2));
                int len = IndexRedoSupport.blockDataLength(r, 0);
                IndexPage.pageAddItem(page, r.raw(), IndexRedoSupport.blockData(r, 0, 1), len, offnum, false);
                IndexPage.setLsn(page, r.endLsn());
            }
            case 1 -> {
                if (info == INSERT_LEAF) {
                    throw new RedoException("INSERT_LEAF changes only block id 0");
                }
                clearIncompleteSplit(r, page);
            }
            case 2 -> {
                if (info != INSERT_META) {
                    throw new RedoException("only INSERT_META changes block id 2");
                }
                restoreMeta(r, 2, page);
            }
            default -> throw new RedoException("insert records reference block ids 0..2");
        }
    }

    /** INSERT_POST: block 0 data is postingoff u16, then orignewitem. */
    private static void insertPost(DecodedRecord r, byte[] page) {
        BtPage.checkBtreePage(page);
        byte[] raw = r.raw();
        int offnum = Bytes.u16(raw, IndexRedoSupport.mainData(r, 2));
        int data = IndexRedoSupport.blockData(r, 0, 2 + IndexRedoSupport.INDEX_TUPLE_HEADER);
        int len = IndexRedoSupport.blockDataLength(r, 0) - 2;
        int postingOff = Bytes.u16(raw, data);
        byte[] newItem = Arrays.copyOfRange(raw, data + 2, data + 2 + len);
        if (IndexRedoSupport.indexTupleSize(newItem, 0) != len) {
            throw new RedoException("new item size " + IndexRedoSupport.indexTupleSize(newItem, 0)
                    + " does not match its " + len + " logged bytes");
        }
        int oposting = IndexPage.item(page, offnum - 1);
        byte[] nposting = BtPosting.swapPosting(newItem, page, oposting, postingOff);
        // Same size as the old posting list: replaced in place, line pointers untouched.
        System.arraycopy(nposting, 0, page, oposting, nposting.length);
        IndexPage.pageAddItem(page, newItem, 0, len, offnum, false);
        IndexPage.setLsn(page, r.endLsn());
    }

    private static void split(DecodedRecord r, boolean newItemOnLeft, int blockId, byte[] page) {
        switch (blockId) {
            case 0 -> BtSplitRedo.leftPage(r, page, newItemOnLeft);
            case 1 -> BtSplitRedo.rightPage(r, page);
            case 2 -> BtSplitRedo.rightSibling(r, page);
            case 3 -> clearIncompleteSplit(r, page);
            default -> throw new RedoException("split records reference block ids 0..3");
        }
    }

    /**
     * VACUUM (main data ndeleted u16 @0, nupdated u16 @2) and DELETE (latestRemovedXid u32 @0, ndeleted @4,
     * nupdated @6). Block 0 data: deleted offsets u16[ndeleted], updated offsets u16[nupdated], then per updated
     * tuple an xl_btree_update {ndeletedtids u16, then that many u16 posting-list positions}.
     */
    private static void deleteItems(DecodedRecord r, int countsAt, byte[] page) {
        BtPage.checkBtreePage(page);
        byte[] raw = r.raw();
        int md = IndexRedoSupport.mainData(r, countsAt + 4);
        int ndeleted = Bytes.u16(raw, md + countsAt);
        int nupdated = Bytes.u16(raw, md + countsAt + 2);
        int len = IndexRedoSupport.blockDataLength(r, 0);
        int data = ndeleted + nupdated == 0 ? 0 : IndexRedoSupport.blockData(r, 0, 2 * (ndeleted + nupdated));
        int end = data + len;
        if (nupdated > 0) {
            int upd = data + 2 * ndeleted;
            int pos = upd + 2 * nupdated;
            for (int i = 0; i < nupdated; i++) {
                IndexRedoSupport.checkRange(pos, 2, data, end, "xl_btree_update");
                int ndel = Bytes.u16(raw, pos);
                IndexRedoSupport.checkRange(pos + 2, 2 * ndel, data, end, "xl_btree_update");
                int[] deletedTids = IndexRedoSupport.u16Array(raw, pos + 2, ndel);
                int offnum = Bytes.u16(raw, upd + 2 * i);
                byte[] itup = BtPosting.updatePosting(page, IndexPage.item(page, offnum), deletedTids);
                IndexPage.pageIndexTupleOverwrite(page, offnum, itup, 0, IndexPage.maxAlign(itup.length));
                pos += 2 + 2 * ndel;
            }
        }
        if (ndeleted > 0) {
            IndexPage.pageIndexMultiDelete(page, IndexRedoSupport.u16Array(raw, data, ndeleted), ndeleted);
        }
        BtPage.setFlags(page, BtPage.flags(page) & ~BtPage.BTP_HAS_GARBAGE);
        IndexPage.setLsn(page, r.endLsn());
    }

    /**
     * MARK_PAGE_HALFDEAD, main data (20 bytes): poffset u16 @0, leafblk @4, leftblk @8, rightblk @12,
     * topparent @16.
     */
    private static void markHalfDead(DecodedRecord r, int blockId, byte[] page) {
        byte[] raw = r.raw();
        int md = IndexRedoSupport.mainData(r, 20);
        if (blockId == 1) {
            BtPage.checkBtreePage(page);
            int poffset = Bytes.u16(raw, md);
            int next = IndexPage.item(page, poffset + 1);
            int rightSib = IndexRedoSupport.tidBlock(page, next);
            IndexRedoSupport.setTidBlock(page, IndexPage.item(page, poffset), rightSib);
            IndexPage.pageIndexTupleDelete(page, poffset + 1);
        } else if (blockId == 0) {
            BtPage.initHalfDeadLeaf(page, Bytes.i32(raw, md + 8), Bytes.i32(raw, md + 12),
                    Bytes.i32(raw, md + 16));
        } else {
            throw new RedoException("MARK_PAGE_HALFDEAD references block ids 0 and 1");
        }
        IndexPage.setLsn(page, r.endLsn());
    }

    /** NEWROOT, main data: rootblk u32 @0, level u32 @4; block 0 data the two items' [upper, special) bytes. */
    private static void newRoot(DecodedRecord r, int blockId, byte[] page) {
        switch (blockId) {
            case 0 -> {
                int level = Bytes.i32(r.raw(), IndexRedoSupport.mainData(r, 8) + 4);
                BtPage.pageInit(page);
                BtPage.setFlags(page, BtPage.BTP_ROOT | (level == 0 ? BtPage.BTP_LEAF : 0));
                BtPage.setPrev(page, BtPage.P_NONE);
                BtPage.setNext(page, BtPage.P_NONE);
                BtPage.setLevel(page, level);
                BtPage.setCycleId(page, 0);
                if (level > 0) {
                    int len = IndexRedoSupport.blockDataLength(r, 0);
                    BtPage.restorePage(page, r.raw(), len == 0 ? 0 : IndexRedoSupport.blockData(r, 0, len), len);
                }
                IndexPage.setLsn(page, r.endLsn());
            }
            case 1 -> clearIncompleteSplit(r, page);
            case 2 -> restoreMeta(r, 2, page);
            default -> throw new RedoException("NEWROOT references block ids 0..2");
        }
    }

    /** {@code _bt_clear_incomplete_split}. */
    static void clearIncompleteSplit(DecodedRecord r, byte[] page) {
        BtPage.checkBtreePage(page);
        BtPage.setFlags(page, BtPage.flags(page) & ~BtPage.BTP_INCOMPLETE_SPLIT);
        IndexPage.setLsn(page, r.endLsn());
    }

    /** {@code _bt_restore_meta} from block {@code blockId}'s 28-byte xl_btree_metadata. */
    static void restoreMeta(DecodedRecord r, int blockId, byte[] page) {
        int md = IndexRedoSupport.blockData(r, blockId, BtPage.METADATA_LEN);
        if (r.block(blockId).blkno() != 0) {
            throw new RedoException("the btree metapage must be block 0, not " + r.block(blockId).blkno());
        }
        BtPage.restoreMeta(page, r.raw(), md);
        IndexPage.setLsn(page, r.endLsn());
    }

    /**
     * {@code btree_mask}: LSN and checksum, hint bits and unused space; line pointer flags on leaf pages (LP_DEAD
     * is set without WAL); BTP_HAS_GARBAGE and BTP_SPLIT_END cleared and btpo_cycleid zeroed (redo never sets
     * them).
     */
    @Override
    public void mask(byte[] page, int blkno) {
        BufMask.maskPageLsnAndChecksum(page);
        BufMask.maskPageHintBits(page);
        BufMask.maskUnusedSpace(page);
        int flags = BtPage.flags(page);
        if ((flags & BtPage.BTP_LEAF) != 0) {
            BufMask.maskLpFlags(page);
        }
        BtPage.setFlags(page, flags & ~(BtPage.BTP_HAS_GARBAGE | BtPage.BTP_SPLIT_END));
        BtPage.setCycleId(page, 0);
    }
}

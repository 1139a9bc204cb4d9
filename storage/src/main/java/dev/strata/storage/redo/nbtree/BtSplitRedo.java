package dev.strata.storage.redo.nbtree;

import dev.strata.storage.redo.page.Bytes;
import dev.strata.storage.redo.page.PageOps;
import dev.strata.storage.redo.RedoException;
import dev.strata.storage.wal.DecodedRecord;

import java.util.Arrays;

import static dev.strata.storage.redo.nbtree.IndexPage.maxAlign;

/**
 * SPLIT_L (0x30) and SPLIT_R (0x40), one block at a time.
 *
 * <p>Main data, xl_btree_split (10 bytes): level u32 @0, firstrightoff u16 @4, newitemoff u16 @6, postingoff u16 @8.
 * Blocks: 0 the original (left) page; 1 the new right page (will-init) whose data is its [pd_upper, pd_special)
 * bytes; 2 the old right sibling, when there is one; 3 the child whose split this insert finishes, on internal
 * levels. Block 0's data: the new item (orignewitem when postingoff ≠ 0), MAXALIGN(IndexTupleSize) bytes, present
 * for SPLIT_L or a posting split; then the left page's new high key, MAXALIGN(IndexTupleSize) bytes.
 */
final class BtSplitRedo {
    private BtSplitRedo() {
    }

    /** Block 1: the right page, rebuilt from nothing. */
    static void rightPage(DecodedRecord r, byte[] page) {
        int md = IndexRedoSupport.mainData(r, 10);
        byte[] raw = r.raw();
        int level = Bytes.i32(raw, md);
        BtPage.pageInit(page);
        BtPage.setPrev(page, IndexRedoSupport.blockNumber(r, 0));
        BtPage.setNext(page, r.hasBlock(2) ? r.block(2).blkno() : BtPage.P_NONE);
        BtPage.setLevel(page, level);
        BtPage.setFlags(page, level == 0 ? BtPage.BTP_LEAF : 0);
        BtPage.setCycleId(page, 0);
        int len = IndexRedoSupport.blockDataLength(r, 1);
        int data = len == 0 ? 0 : IndexRedoSupport.blockData(r, 1, len);
        BtPage.restorePage(page, raw, data, len);
        IndexPage.setLsn(page, r.endLsn());
    }

    /** Block 0: the left page, rebuilt on a temporary page in item order as {@code _bt_split} built it. */
    static void leftPage(DecodedRecord r, byte[] page, boolean newItemOnLeft) {
        BtPage.checkBtreePage(page);
        int md = IndexRedoSupport.mainData(r, 10);
        byte[] raw = r.raw();
        boolean leaf = Bytes.i32(raw, md) == 0;
        int firstRightOff = Bytes.u16(raw, md + 4);
        int newItemOff = Bytes.u16(raw, md + 6);
        LeftData d = new LeftData(r, page, newItemOnLeft, newItemOff, Bytes.u16(raw, md + 8));

        byte[] left = IndexPage.tempPageCopySpecial(page);
        IndexPage.pageAddItem(left, raw, d.hikey, d.hikeySize, BtPage.P_HIKEY, false);
        int leftOff = BtPage.P_HIKEY + 1;
        int off = BtPage.firstDataKey(page);
        for (; off < firstRightOff; off++) {
            if (off == d.replacePostingOff) {
                IndexPage.pageAddItem(left, d.nposting, 0,
                        maxAlign(IndexRedoSupport.indexTupleSize(d.nposting, 0)), leftOff++, false);
                continue;
            } else if (newItemOnLeft && off == newItemOff) {
                IndexPage.pageAddItem(left, d.newItem, 0, d.newItemSize, leftOff++, false);
            }
            int item = IndexPage.item(page, off);
            IndexPage.pageAddItem(left, page, item, IndexPage.lpLen(page, off), leftOff++, false);
        }
        if (newItemOnLeft && off == newItemOff) {
            IndexPage.pageAddItem(left, d.newItem, 0, d.newItemSize, leftOff, false);
        }
        // The temporary page carries the old opaque, so btpo_prev and btpo_level survive.
        System.arraycopy(left, 0, page, 0, PageOps.BLCKSZ);
        BtPage.setFlags(page, BtPage.BTP_INCOMPLETE_SPLIT | (leaf ? BtPage.BTP_LEAF : 0));
        BtPage.setNext(page, IndexRedoSupport.blockNumber(r, 1));
        BtPage.setCycleId(page, 0);
        IndexPage.setLsn(page, r.endLsn());
    }

    /**
     * Block 0's data: the new item (present for SPLIT_L or a posting split; with a posting split, the posting list
     * it splits is swapped against it here, against the original page) and the left page's new high key.
     */
    private static final class LeftData {
        byte[] newItem;
        int newItemSize;
        byte[] nposting;
        int replacePostingOff;
        final int hikey;
        final int hikeySize;

        LeftData(DecodedRecord r, byte[] page, boolean newItemOnLeft, int newItemOff, int postingOff) {
            byte[] raw = r.raw();
            int pos = IndexRedoSupport.blockData(r, 0, IndexRedoSupport.INDEX_TUPLE_HEADER);
            int end = pos + IndexRedoSupport.blockDataLength(r, 0);
            if (newItemOnLeft || postingOff != 0) {
                newItemSize = maxAlign(IndexRedoSupport.indexTupleSize(raw, pos));
                IndexRedoSupport.checkRange(pos, newItemSize, pos, end, "new item");
                newItem = Arrays.copyOfRange(raw, pos, pos + newItemSize);
                pos += newItemSize;
                if (postingOff != 0) {
                    replacePostingOff = newItemOff - 1;
                    nposting = BtPosting.swapPosting(newItem, page, IndexPage.item(page, replacePostingOff),
                            postingOff);
                }
            }
            IndexRedoSupport.checkRange(pos, IndexRedoSupport.INDEX_TUPLE_HEADER, pos, end, "left high key");
            hikey = pos;
            hikeySize = maxAlign(IndexRedoSupport.indexTupleSize(raw, pos));
            IndexRedoSupport.checkRange(pos, hikeySize, pos, end, "left high key");
            if (pos + hikeySize != end) {
                throw new RedoException((end - pos - hikeySize) + " unexpected bytes after the left high key");
            }
        }
    }

    /** Block 2: the old right sibling now points back at the new right page. */
    static void rightSibling(DecodedRecord r, byte[] page) {
        BtPage.checkBtreePage(page);
        BtPage.setPrev(page, IndexRedoSupport.blockNumber(r, 1));
        IndexPage.setLsn(page, r.endLsn());
    }
}

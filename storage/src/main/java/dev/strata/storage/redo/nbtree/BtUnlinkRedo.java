package dev.strata.storage.redo.nbtree;

import dev.strata.storage.redo.page.Bytes;
import dev.strata.storage.redo.RedoException;
import dev.strata.storage.wal.DecodedRecord;

/**
 * UNLINK_PAGE (0x80) and UNLINK_PAGE_META (0x90).
 *
 * <p>Main data, xl_btree_unlink_page (36 bytes): leftsib u32 @0, rightsib @4, level @8, 4 pad bytes, safexid u64
 * @16, leafleftsib @24, leafrightsib @28, leaftopparent @32. Blocks: 0 the target, rebuilt as a deleted page; 1 the
 * left sibling (only when leftsib ≠ P_NONE); 2 the right sibling; 3 the leaf, rebuilt half-dead, when the target is
 * an internal page; 4 the metapage (META variant, its block data the 28-byte xl_btree_metadata).
 */
final class BtUnlinkRedo {
    private BtUnlinkRedo() {
    }

    static void apply(DecodedRecord r, boolean meta, int blockId, byte[] page) {
        byte[] raw = r.raw();
        int md = IndexRedoSupport.mainData(r, 36);
        int leftSib = Bytes.i32(raw, md);
        int rightSib = Bytes.i32(raw, md + 4);
        int level = Bytes.i32(raw, md + 8);
        switch (blockId) {
            case 0 -> {
                BtPage.pageInit(page);
                BtPage.setPrev(page, leftSib);
                BtPage.setNext(page, rightSib);
                BtPage.setLevel(page, level);
                BtPage.setDeleted(page, Bytes.i64(raw, md + 16));
                if (level == 0) {
                    BtPage.setFlags(page, BtPage.flags(page) | BtPage.BTP_LEAF);
                }
                BtPage.setCycleId(page, 0);
            }
            case 1 -> {
                BtPage.checkBtreePage(page);
                BtPage.setNext(page, rightSib);
            }
            case 2 -> {
                BtPage.checkBtreePage(page);
                BtPage.setPrev(page, leftSib);
            }
            case 3 -> BtPage.initHalfDeadLeaf(page, Bytes.i32(raw, md + 24), Bytes.i32(raw, md + 28),
                    Bytes.i32(raw, md + 32));
            case 4 -> {
                if (!meta) {
                    throw new RedoException("only UNLINK_PAGE_META changes block id 4");
                }
                BtreeRedo.restoreMeta(r, 4, page);
                return;
            }
            default -> throw new RedoException("unlink records reference block ids 0..4");
        }
        IndexPage.setLsn(page, r.endLsn());
    }
}

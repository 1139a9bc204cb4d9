package dev.strata.storage.redo.spgist;

import dev.strata.storage.redo.page.Bytes;
import dev.strata.storage.redo.RedoException;
import dev.strata.storage.redo.nbtree.IndexPage;
import dev.strata.storage.redo.nbtree.IndexRedoSupport;
import dev.strata.storage.wal.DecodedRecord;

/**
 * The SP-GiST insertion records. Everything is in the main data; blocks carry none. spgxlogState (8 bytes) is
 * myXid u32 @0, isBuild bool @4.
 */
final class SpgInsertRedo {
    private SpgInsertRedo() {
    }

    /**
     * ADD_LEAF, main data: newPage bool @0, storesNulls bool @1, offnumLeaf u16 @2, offnumHeadLeaf u16 @4,
     * offnumParent u16 @6, nodeI u16 @8, then the leaf tuple @10. Block 0 the leaf page, block 1 the parent whose
     * downlink now points at the new tuple (when offnumParent is valid).
     */
    static void addLeaf(DecodedRecord r, int blockId, byte[] page) {
        byte[] raw = r.raw();
        int md = IndexRedoSupport.mainData(r, 10 + 12);
        int offLeaf = Bytes.u16(raw, md + 2);
        int offHead = Bytes.u16(raw, md + 4);
        int tup = md + 10;
        int size = SpgPage.leafSize(raw, tup);
        IndexRedoSupport.checkRange(tup, size, md, md + r.mainDataLength(), "leaf tuple");
        if (blockId == 0) {
            if (raw[md] != 0) {
                SpgPage.init(page, SpgPage.SPGIST_LEAF | (raw[md + 1] != 0 ? SpgPage.SPGIST_NULLS : 0));
            }
            SpgPage.check(page);
            if (offLeaf != offHead) {
                SpgPage.addOrReplace(page, raw, tup, size, offLeaf);
                if (offHead != 0) {
                    SpgPage.setNextOffset(page, IndexPage.item(page, offHead), offLeaf);
                }
            } else {
                SpgPage.replace(page, raw, tup, size, offLeaf);
            }
        } else if (blockId == 1) {
            int offParent = Bytes.u16(raw, md + 6);
            if (offParent == 0) {
                throw new RedoException("ADD_LEAF without a parent offset changes no block id 1");
            }
            SpgPage.check(page);
            SpgPage.updateNodeLink(page, offParent, Bytes.u16(raw, md + 8),
                    IndexRedoSupport.blockNumber(r, 0), offLeaf);
        } else {
            throw new RedoException("ADD_LEAF references block ids 0 and 1");
        }
    }

    /**
     * MOVE_LEAFS, main data (20-byte header): nMoves u16 @0, newPage bool @2, replaceDead bool @3, storesNulls bool
     * @4, offnumParent u16 @6, nodeI u16 @8, stateSrc @12; then toDelete u16[nMoves], toInsert u16[nInsert]
     * (nInsert = 1 when replaceDead, else nMoves + 1), then nInsert leaf tuples. Block 0 the source page (the moved
     * tuples become a redirect and placeholders), 1 the destination, 2 the parent.
     */
    static void moveLeafs(DecodedRecord r, int blockId, byte[] page) {
        byte[] raw = r.raw();
        int md = IndexRedoSupport.mainData(r, 20);
        int end = md + r.mainDataLength();
        int nMoves = Bytes.u16(raw, md);
        int nInsert = raw[md + 3] != 0 ? 1 : nMoves + 1;
        IndexRedoSupport.checkRange(md + 20, 2 * (nMoves + nInsert), md, end, "offset arrays");
        int[] toDelete = IndexRedoSupport.u16Array(raw, md + 20, nMoves);
        int[] toInsert = IndexRedoSupport.u16Array(raw, md + 20 + 2 * nMoves, nInsert);
        int blknoDst = IndexRedoSupport.blockNumber(r, 1);
        switch (blockId) {
            case 1 -> {
                if (raw[md + 2] != 0) {
                    SpgPage.init(page, SpgPage.SPGIST_LEAF | (raw[md + 4] != 0 ? SpgPage.SPGIST_NULLS : 0));
                }
                SpgPage.check(page);
                int tup = md + 20 + 2 * (nMoves + nInsert);
                for (int i = 0; i < nInsert; i++) {
                    IndexRedoSupport.checkRange(tup, 8, md, end, "leaf tuple");
                    int size = SpgPage.leafSize(raw, tup);
                    IndexRedoSupport.checkRange(tup, size, md, end, "leaf tuple");
                    SpgPage.addOrReplace(page, raw, tup, size, toInsert[i]);
                    tup += size;
                }
            }
            case 0 -> {
                SpgPage.check(page);
                boolean isBuild = raw[md + 16] != 0;
                SpgPage.multiDelete(page, toDelete, isBuild ? SpgPage.PLACEHOLDER : SpgPage.REDIRECT,
                        SpgPage.PLACEHOLDER, blknoDst, toInsert[nInsert - 1], Bytes.i32(raw, md + 12));
            }
            case 2 -> {
                SpgPage.check(page);
                SpgPage.updateNodeLink(page, Bytes.u16(raw, md + 6), Bytes.u16(raw, md + 8), blknoDst,
                        toInsert[nInsert - 1]);
            }
            default -> throw new RedoException("MOVE_LEAFS references block ids 0..2");
        }
    }

    /**
     * ADD_NODE, main data (20-byte header): offnum u16 @0, offnumNew u16 @2, newPage bool @4, parentBlk i8 @5
     * (0 the original page, 1 the new page, 2 block 2, −1 none), offnumParent u16 @6, nodeI u16 @8, stateSrc @12;
     * then the new inner tuple. Without block 1 the tuple is replaced in place on block 0; otherwise it moves to
     * block 1 and block 0 keeps a redirect (a placeholder during index build).
     */
    static void addNode(DecodedRecord r, int blockId, byte[] page) {
        byte[] raw = r.raw();
        int md = IndexRedoSupport.mainData(r, 20 + 8);
        int tup = md + 20;
        int size = SpgPage.innerSize(raw, tup);
        IndexRedoSupport.checkRange(tup, size, md, md + r.mainDataLength(), "inner tuple");
        int offnum = Bytes.u16(raw, md);
        int offNew = Bytes.u16(raw, md + 2);
        int parentBlk = raw[md + 5];
        int offParent = Bytes.u16(raw, md + 6);
        int nodeI = Bytes.u16(raw, md + 8);
        if (!r.hasBlock(1)) {
            IndexRedoSupport.only(blockId, 0);
            SpgPage.check(page);
            SpgPage.replace(page, raw, tup, size, offnum);
            return;
        }
        int blknoNew = IndexRedoSupport.blockNumber(r, 1);
        switch (blockId) {
            case 1 -> {
                if (raw[md + 4] != 0) {
                    SpgPage.init(page, 0);
                }
                SpgPage.check(page);
                SpgPage.addOrReplace(page, raw, tup, size, offNew);
                if (parentBlk == 1) {
                    SpgPage.updateNodeLink(page, offParent, nodeI, blknoNew, offNew);
                }
            }
            case 0 -> {
                SpgPage.check(page);
                boolean isBuild = raw[md + 16] != 0;
                byte[] dt = isBuild ? SpgPage.deadTuple(SpgPage.PLACEHOLDER, 0, 0, 0)
                        : SpgPage.deadTuple(SpgPage.REDIRECT, blknoNew, offNew, Bytes.i32(raw, md + 12));
                SpgPage.replace(page, dt, 0, SpgPage.DEAD_TUPLE_SIZE, offnum);
                if (isBuild) {
                    SpgPage.setNPlaceholder(page, (SpgPage.nPlaceholder(page) + 1) & 0xFFFF);
                } else {
                    SpgPage.setNRedirection(page, (SpgPage.nRedirection(page) + 1) & 0xFFFF);
                }
                if (parentBlk == 0) {
                    SpgPage.updateNodeLink(page, offParent, nodeI, blknoNew, offNew);
                }
            }
            case 2 -> {
                if (parentBlk != 2) {
                    throw new RedoException("ADD_NODE changes block id 2 only when it is the parent");
                }
                SpgPage.check(page);
                SpgPage.updateNodeLink(page, offParent, nodeI, blknoNew, offNew);
            }
            default -> throw new RedoException("ADD_NODE references block ids 0..2");
        }
    }

    /**
     * SPLIT_TUPLE, main data: offnumPrefix u16 @0, offnumPostfix u16 @2, newPage bool @4, postfixBlkSame bool @5,
     * then the prefix inner tuple and the postfix inner tuple. Block 0 gets the prefix tuple in place of the old
     * one (and the postfix tuple too when postfixBlkSame); otherwise block 1 gets the postfix tuple.
     */
    static void splitTuple(DecodedRecord r, int blockId, byte[] page) {
        byte[] raw = r.raw();
        int md = IndexRedoSupport.mainData(r, 6 + 8);
        int end = md + r.mainDataLength();
        int prefix = md + 6;
        int prefixSize = SpgPage.innerSize(raw, prefix);
        IndexRedoSupport.checkRange(prefix, prefixSize + 8, md, end, "prefix tuple");
        int postfix = prefix + prefixSize;
        int postfixSize = SpgPage.innerSize(raw, postfix);
        IndexRedoSupport.checkRange(postfix, postfixSize, md, end, "postfix tuple");
        boolean sameBlock = raw[md + 5] != 0;
        int offPostfix = Bytes.u16(raw, md + 2);
        if (blockId == 1 && !sameBlock) {
            if (raw[md + 4] != 0) {
                SpgPage.init(page, 0);
            }
            SpgPage.check(page);
            SpgPage.addOrReplace(page, raw, postfix, postfixSize, offPostfix);
        } else if (blockId == 0) {
            SpgPage.check(page);
            SpgPage.replace(page, raw, prefix, prefixSize, Bytes.u16(raw, md));
            if (sameBlock) {
                SpgPage.addOrReplace(page, raw, postfix, postfixSize, offPostfix);
            }
        } else {
            throw new RedoException("SPLIT_TUPLE does not change block id " + blockId);
        }
    }
}

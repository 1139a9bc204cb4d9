package dev.strata.storage.redo.spgist;

import dev.strata.storage.redo.RedoException;
import dev.strata.storage.redo.nbtree.IndexPage;
import dev.strata.storage.redo.nbtree.IndexRedoSupport;
import dev.strata.storage.wal.DecodedRecord;

/**
 * PICKSPLIT, main data (28-byte header): isRootSplit bool @0, nDelete u16 @2, nInsert u16 @4, initSrc bool @6,
 * initDest bool @7, offnumInner u16 @8, initInner bool @10, storesNulls bool @11, innerIsParent bool @12,
 * offnumParent u16 @14, nodeI u16 @16, stateSrc @20; then toDelete u16[nDelete], toInsert u16[nInsert],
 * leafPageSelect u8[nInsert] (0 source page, 1 destination page), the new inner tuple, and nInsert leaf tuples.
 * Blocks: 0 the source leaf page (absent for a root split), 1 the new leaf page, 2 the page getting the inner tuple,
 * 3 the parent when it is not block 2.
 */
final class SpgPickSplitRedo {
    private SpgPickSplitRedo() {
    }

    static void apply(DecodedRecord r, int blockId, byte[] page) {
        byte[] raw = r.raw();
        int md = IndexRedoSupport.mainData(r, 28);
        int end = md + r.mainDataLength();
        boolean rootSplit = raw[md] != 0;
        int nDelete = IndexPage.u16(raw, md + 2);
        int nInsert = IndexPage.u16(raw, md + 4);
        int offInner = IndexPage.u16(raw, md + 8);
        int leafFlags = SpgPage.SPGIST_LEAF | (raw[md + 11] != 0 ? SpgPage.SPGIST_NULLS : 0);
        int p = md + 28;
        IndexRedoSupport.checkRange(p, 2 * nDelete + 3 * nInsert + 8, md, end, "offset arrays");
        int[] toDelete = IndexRedoSupport.u16Array(raw, p, nDelete);
        p += 2 * nDelete;
        int[] toInsert = IndexRedoSupport.u16Array(raw, p, nInsert);
        p += 2 * nInsert;
        int select = p;
        p += nInsert;
        int inner = p;
        int innerSize = SpgPage.innerSize(raw, inner);
        IndexRedoSupport.checkRange(inner, innerSize, md, end, "inner tuple");
        int leaves = inner + innerSize;
        int blknoInner = IndexRedoSupport.blockNumber(r, 2);
        switch (blockId) {
            case 0 -> {
                if (rootSplit) {
                    throw new RedoException("a root split does not change block id 0");
                }
                if (raw[md + 6] != 0) {
                    SpgPage.init(page, leafFlags);
                } else {
                    SpgPage.check(page);
                    boolean isBuild = raw[md + 24] != 0;
                    SpgPage.multiDelete(page, toDelete, isBuild ? SpgPage.PLACEHOLDER : SpgPage.REDIRECT,
                            SpgPage.PLACEHOLDER, isBuild ? IndexPage.INVALID_BLOCK : blknoInner,
                            isBuild ? 0 : offInner, IndexPage.i32(raw, md + 20));
                }
                addLeaves(page, raw, leaves, end, toInsert, select, 0);
            }
            case 1 -> {
                if (raw[md + 7] != 0) {
                    SpgPage.init(page, leafFlags);
                }
                SpgPage.check(page);
                addLeaves(page, raw, leaves, end, toInsert, select, 1);
            }
            case 2 -> {
                if (raw[md + 10] != 0) {
                    SpgPage.init(page, raw[md + 11] != 0 ? SpgPage.SPGIST_NULLS : 0);
                }
                SpgPage.check(page);
                SpgPage.addOrReplace(page, raw, inner, innerSize, offInner);
                if (raw[md + 12] != 0) {
                    SpgPage.updateNodeLink(page, IndexPage.u16(raw, md + 14), IndexPage.u16(raw, md + 16),
                            blknoInner, offInner);
                }
            }
            case 3 -> {
                SpgPage.check(page);
                SpgPage.updateNodeLink(page, IndexPage.u16(raw, md + 14), IndexPage.u16(raw, md + 16), blknoInner,
                        offInner);
            }
            default -> throw new RedoException("PICKSPLIT references block ids 0..3");
        }
    }

    /** Adds the leaf tuples whose page selector is {@code which}, walking past the others. */
    private static void addLeaves(byte[] page, byte[] raw, int pos, int end, int[] toInsert, int select, int which) {
        for (int i = 0; i < toInsert.length; i++) {
            IndexRedoSupport.checkRange(pos, 8, pos, end, "leaf tuple");
            int size = SpgPage.leafSize(raw, pos);
            IndexRedoSupport.checkRange(pos, size, pos, end, "leaf tuple");
            if (size == 0) {
                throw new RedoException("zero-length leaf tuple");
            }
            if ((raw[select + i] != 0 ? 1 : 0) == which) {
                SpgPage.addOrReplace(page, raw, pos, size, toInsert[i]);
            }
            pos += size;
        }
    }
}

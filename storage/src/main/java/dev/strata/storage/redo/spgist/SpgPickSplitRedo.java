package dev.strata.storage.redo.spgist;

import dev.strata.storage.redo.page.Bytes;
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

    /** The fields of one PICKSPLIT record and where its arrays and tuples sit in the record's bytes. */
    private static final class Parsed {
        final byte[] raw;
        final int md;
        final int end;
        final boolean rootSplit;
        final int offInner;
        final int leafFlags;
        final int[] toDelete;
        final int[] toInsert;
        final int select;
        final int inner;
        final int innerSize;
        final int leaves;
        final int blknoInner;

        Parsed(DecodedRecord r) {
            raw = r.raw();
            md = IndexRedoSupport.mainData(r, 28);
            end = md + r.mainDataLength();
            rootSplit = raw[md] != 0;
            int nDelete = Bytes.u16(raw, md + 2);
            int nInsert = Bytes.u16(raw, md + 4);
            offInner = Bytes.u16(raw, md + 8);
            leafFlags = SpgPage.SPGIST_LEAF | (raw[md + 11] != 0 ? SpgPage.SPGIST_NULLS : 0);
            int p = md + 28;
            IndexRedoSupport.checkRange(p, 2 * nDelete + 3 * nInsert + 8, md, end, "offset arrays");
            toDelete = IndexRedoSupport.u16Array(raw, p, nDelete);
            p += 2 * nDelete;
            toInsert = IndexRedoSupport.u16Array(raw, p, nInsert);
            p += 2 * nInsert;
            select = p;
            inner = p + nInsert;
            innerSize = SpgPage.innerSize(raw, inner);
            IndexRedoSupport.checkRange(inner, innerSize, md, end, "inner tuple");
            leaves = inner + innerSize;
            blknoInner = IndexRedoSupport.blockNumber(r, 2);
        }

        boolean flag(int at) {
            return raw[md + at] != 0;
        }

        void updateParentLink(byte[] page) {
            SpgPage.updateNodeLink(page, Bytes.u16(raw, md + 14), Bytes.u16(raw, md + 16), blknoInner,
                    offInner);
        }
    }

    static void apply(DecodedRecord r, int blockId, byte[] page) {
        Parsed x = new Parsed(r);
        switch (blockId) {
            case 0 -> source(x, page);
            case 1 -> {
                if (x.flag(7)) {
                    SpgPage.init(page, x.leafFlags);
                }
                SpgPage.check(page);
                addLeaves(page, x.raw, x.leaves, x.end, x.toInsert, x.select, 1);
            }
            case 2 -> {
                if (x.flag(10)) {
                    SpgPage.init(page, x.flag(11) ? SpgPage.SPGIST_NULLS : 0);
                }
                SpgPage.check(page);
                SpgPage.addOrReplace(page, x.raw, x.inner, x.innerSize, x.offInner);
                if (x.flag(12)) {
                    x.updateParentLink(page);
                }
            }
            case 3 -> {
                SpgPage.check(page);
                x.updateParentLink(page);
            }
            default -> throw new RedoException("PICKSPLIT references block ids 0..3");
        }
    }

    /**
     * The source leaf page: re-initialised, or its moved tuples replaced by a redirect to the new inner tuple and
     * placeholders (only placeholders during index build); then the leaf tuples that stay on it.
     */
    private static void source(Parsed x, byte[] page) {
        if (x.rootSplit) {
            throw new RedoException("a root split does not change block id 0");
        }
        if (x.flag(6)) {
            SpgPage.init(page, x.leafFlags);
        } else {
            SpgPage.check(page);
            boolean isBuild = x.flag(24);
            SpgPage.multiDelete(page, x.toDelete, isBuild ? SpgPage.PLACEHOLDER : SpgPage.REDIRECT,
                    SpgPage.PLACEHOLDER, isBuild ? IndexPage.INVALID_BLOCK : x.blknoInner,
                    isBuild ? 0 : x.offInner, Bytes.i32(x.raw, x.md + 20));
        }
        addLeaves(page, x.raw, x.leaves, x.end, x.toInsert, x.select, 0);
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

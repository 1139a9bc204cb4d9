package dev.strata.storage.redo.spgist;

import dev.strata.storage.redo.page.Bytes;
import dev.strata.storage.redo.page.PageOps;
import dev.strata.storage.redo.RedoException;
import dev.strata.storage.redo.nbtree.IndexPage;
import dev.strata.storage.redo.nbtree.IndexRedoSupport;

import java.util.Arrays;

/**
 * SP-GiST page and tuple structures ({@code spgist_private.h}) and the page operations its redo repeats.
 *
 * <p>Special space, SpGistPageOpaqueData (8 bytes at pd_special = 8184): flags u16 @0 (META 1, DELETED 2, LEAF 4,
 * NULLS 8), nRedirection u16 @2, nPlaceholder u16 @4, spgist_page_id u16 = 0xFF82 @6.
 *
 * <p>Every tuple starts with a little-endian u32 whose low 2 bits are tupstate (LIVE 0, REDIRECT 1, DEAD 2,
 * PLACEHOLDER 3). Leaf tuple: the rest of that word is the size (30 bits); t_info u16 @4 (next offset in the chain
 * in the low 14 bits); heapPtr @6. Inner tuple: allTheSame bit 2, nNodes bits 3..15, prefixSize bits 16..31; size
 * u16 @4; the prefix from @8, then nNodes node tuples (IndexTupleData: t_tid the downlink, t_info the size). Dead
 * tuple (16 bytes, REDIRECT, DEAD or PLACEHOLDER): size in the word, t_info 0 @4, pointer ItemPointerData @6 (the
 * redirect target, else invalid), xid u32 @12 (the creating transaction of a redirect, else 0).
 */
final class SpgPage {
    static final int SPECIAL_SIZE = 8;
    static final int PAGE_ID = 0xFF82;
    static final int SPGIST_LEAF = 4;
    static final int SPGIST_NULLS = 8;

    static final int LIVE = 0;
    static final int REDIRECT = 1;
    static final int DEAD = 2;
    static final int PLACEHOLDER = 3;
    static final int DEAD_TUPLE_SIZE = 16;
    private static final int INNER_HEADER = 8;

    private SpgPage() {
    }

    static void init(byte[] page, int flags) {
        IndexPage.pageInit(page, SPECIAL_SIZE);
        int o = IndexPage.special(page);
        Bytes.putU16(page, o, flags);
        Bytes.putU16(page, o + 6, PAGE_ID);
    }

    static void check(byte[] page) {
        if (IndexPage.special(page) != PageOps.BLCKSZ - SPECIAL_SIZE) {
            throw new RedoException("not an SP-GiST page: pd_special is " + IndexPage.special(page));
        }
    }

    static int nRedirection(byte[] page) {
        return Bytes.u16(page, IndexPage.special(page) + 2);
    }

    static void setNRedirection(byte[] page, int n) {
        Bytes.putU16(page, IndexPage.special(page) + 2, n);
    }

    static int nPlaceholder(byte[] page) {
        return Bytes.u16(page, IndexPage.special(page) + 4);
    }

    static void setNPlaceholder(byte[] page, int n) {
        Bytes.putU16(page, IndexPage.special(page) + 4, n);
    }

    static int tupstate(byte[] b, int tup) {
        return Bytes.i32(b, tup) & 3;
    }

    /** The size of a leaf (30-bit size) tuple logged at {@code tup}. */
    static int leafSize(byte[] b, int tup) {
        return Bytes.i32(b, tup) >>> 2;
    }

    /** The size of an inner tuple logged at {@code tup}. */
    static int innerSize(byte[] b, int tup) {
        return Bytes.u16(b, tup + 4);
    }

    /** {@code SGLT_SET_NEXTOFFSET}: the chain link in the low 14 bits of t_info. */
    static void setNextOffset(byte[] page, int tup, int offnum) {
        int info = Bytes.u16(page, tup + 4);
        Bytes.putU16(page, tup + 4, (info & 0xC000) | (offnum & 0x3FFF));
    }

    /** {@code spgFormDeadTuple}. */
    static byte[] deadTuple(int tupstate, int blkno, int offnum, int myXid) {
        byte[] t = new byte[DEAD_TUPLE_SIZE];
        Bytes.putI32(t, 0, tupstate | DEAD_TUPLE_SIZE << 2);
        if (tupstate == REDIRECT) {
            IndexRedoSupport.setTid(t, 6, blkno, offnum);
            Bytes.putI32(t, 12, myXid);
        } else {
            IndexRedoSupport.setTidInvalid(t, 6);
        }
        return t;
    }

    /**
     * {@code addOrReplaceTuple}: put a tuple at {@code offset}, replacing the placeholder there if the offset is
     * already in use.
     */
    static void addOrReplace(byte[] page, byte[] src, int tup, int size, int offset) {
        if (offset <= IndexPage.maxOffset(page)) {
            int dt = IndexPage.item(page, offset);
            if (tupstate(page, dt) != PLACEHOLDER) {
                throw new RedoException("SPGiST tuple to be replaced is not a placeholder");
            }
            setNPlaceholder(page, (nPlaceholder(page) - 1) & 0xFFFF);
            IndexPage.pageIndexTupleDelete(page, offset);
        }
        IndexPage.pageAddItem(page, src, tup, size, offset, false);
    }

    /** Deletes the item at {@code offset} and adds the given tuple in its place. */
    static void replace(byte[] page, byte[] src, int tup, int size, int offset) {
        IndexPage.pageIndexTupleDelete(page, offset);
        IndexPage.pageAddItem(page, src, tup, size, offset, false);
    }

    /**
     * {@code spgPageIndexMultiDelete}: delete the items, then put a dead tuple at each of their offsets, the first
     * listed getting {@code firstState} and the rest {@code restState}.
     */
    static void multiDelete(byte[] page, int[] itemnos, int firstState, int restState, int blkno, int offnum,
                            int myXid) {
        int n = itemnos.length;
        if (n == 0) {
            return;
        }
        int[] sorted = itemnos.clone();
        Arrays.sort(sorted);
        IndexPage.pageIndexMultiDelete(page, sorted, n);
        int first = itemnos[0];
        for (int itemno : sorted) {
            int state = itemno == first ? firstState : restState;
            byte[] dt = deadTuple(state, blkno, offnum, myXid);
            IndexPage.pageAddItem(page, dt, 0, DEAD_TUPLE_SIZE, itemno, false);
            if (state == REDIRECT) {
                setNRedirection(page, (nRedirection(page) + 1) & 0xFFFF);
            } else if (state == PLACEHOLDER) {
                setNPlaceholder(page, (nPlaceholder(page) + 1) & 0xFFFF);
            }
        }
    }

    /** {@code spgUpdateNodeLink}: node {@code nodeN} of the inner tuple at {@code offnum} points at (blkno, off). */
    static void updateNodeLink(byte[] page, int offnum, int nodeN, int blkno, int offset) {
        int tup = IndexPage.item(page, offnum);
        int word = Bytes.i32(page, tup);
        int nNodes = (word >>> 3) & 0x1FFF;
        int prefixSize = word >>> 16;
        int end = tup + innerSize(page, tup);
        int node = tup + INNER_HEADER + prefixSize;
        for (int i = 0; i < nNodes; i++) {
            if (node + IndexRedoSupport.INDEX_TUPLE_HEADER > end) {
                throw new RedoException("node " + i + " runs past its inner tuple");
            }
            if (i == nodeN) {
                IndexRedoSupport.setTid(page, node, blkno, offset);
                return;
            }
            int size = IndexRedoSupport.indexTupleSize(page, node);
            if (size == 0) {
                throw new RedoException("zero-length node in an inner tuple");
            }
            node += size;
        }
        throw new RedoException("failed to find requested node " + nodeN + " in SPGiST inner tuple");
    }
}

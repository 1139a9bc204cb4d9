package dev.strata.storage.redo.nbtree;

import dev.strata.storage.redo.page.Bytes;
import dev.strata.storage.redo.page.PageOps;
import dev.strata.storage.redo.RedoException;

import static dev.strata.storage.redo.page.PageOps.BLCKSZ;
import static dev.strata.storage.redo.nbtree.IndexPage.maxAlign;
import static dev.strata.storage.redo.nbtree.IndexRedoSupport.INDEX_ALT_TID_MASK;
import static dev.strata.storage.redo.nbtree.IndexRedoSupport.INDEX_TUPLE_HEADER;

/**
 * Btree page structures ({@code nbtree.h}) and the page rebuilds btree redo shares.
 *
 * <p>Special space, BTPageOpaqueData (16 bytes at pd_special = 8176): btpo_prev u32 @0, btpo_next u32 @4,
 * btpo_level u32 @8, btpo_flags u16 @12, btpo_cycleid u16 @14.
 *
 * <p>Metapage (block 0), BTMetaPageData at offset 24: btm_magic u32 (0x053162) @0, btm_version @4, btm_root @8,
 * btm_level @12, btm_fastroot @16, btm_fastlevel @20, btm_last_cleanup_num_delpages @24, 4 pad bytes,
 * btm_last_cleanup_num_heap_tuples float8 @32, btm_allequalimage bool @40, 7 pad bytes; pd_lower = 72.
 *
 * <p>The metapage contents logged by INSERT_META, NEWROOT, UNLINK_PAGE_META and META_CLEANUP,
 * xl_btree_metadata (28 bytes of block data): version u32 @0, root @4, level @8, fastroot @12, fastlevel @16,
 * last_cleanup_num_delpages @20, allequalimage bool @24, 3 pad bytes.
 *
 * <p>Deleted page: pd_lower = 32, a FullTransactionId safexid (u64) at offset 24, pd_upper = pd_special.
 */
public final class BtPage {
    public static final int SPECIAL_SIZE = 16;
    public static final int OPAQUE = BLCKSZ - SPECIAL_SIZE;

    public static final int BTP_LEAF = 0x1;
    public static final int BTP_ROOT = 0x2;
    public static final int BTP_DELETED = 0x4;
    public static final int BTP_META = 0x8;
    public static final int BTP_HALF_DEAD = 0x10;
    public static final int BTP_SPLIT_END = 0x20;
    public static final int BTP_HAS_GARBAGE = 0x40;
    public static final int BTP_INCOMPLETE_SPLIT = 0x80;
    public static final int BTP_HAS_FULLXID = 0x100;

    public static final int P_NONE = 0;
    public static final int P_HIKEY = 1;
    public static final int BTREE_MAGIC = 0x053162;
    public static final int METADATA_LEN = 28;
    public static final int META_PD_LOWER = 72;

    private BtPage() {
    }

    public static int prev(byte[] page) {
        return Bytes.i32(page, IndexPage.special(page));
    }

    public static int next(byte[] page) {
        return Bytes.i32(page, IndexPage.special(page) + 4);
    }

    public static int level(byte[] page) {
        return Bytes.i32(page, IndexPage.special(page) + 8);
    }

    public static int flags(byte[] page) {
        return Bytes.u16(page, IndexPage.opaque(page, SPECIAL_SIZE) + 12);
    }

    public static void setPrev(byte[] page, int blkno) {
        Bytes.putI32(page, IndexPage.special(page), blkno);
    }

    public static void setNext(byte[] page, int blkno) {
        Bytes.putI32(page, IndexPage.special(page) + 4, blkno);
    }

    public static void setLevel(byte[] page, int level) {
        Bytes.putI32(page, IndexPage.special(page) + 8, level);
    }

    public static void setFlags(byte[] page, int flags) {
        Bytes.putU16(page, IndexPage.special(page) + 12, flags);
    }

    public static void setCycleId(byte[] page, int cycleId) {
        Bytes.putU16(page, IndexPage.special(page) + 14, cycleId);
    }

    /** {@code P_FIRSTDATAKEY}: a page with a right sibling keeps its high key at offset 1. */
    public static int firstDataKey(byte[] page) {
        return next(page) == P_NONE ? P_HIKEY : P_HIKEY + 1;
    }

    /** The opaque area must be where a btree page keeps it, or the page is not a btree page. */
    public static void checkBtreePage(byte[] page) {
        if (IndexPage.special(page) != OPAQUE) {
            throw new RedoException("not a btree page: pd_special is " + IndexPage.special(page) + ", expected "
                    + OPAQUE);
        }
    }

    /** {@code _bt_pageinit}. */
    public static void pageInit(byte[] page) {
        IndexPage.pageInit(page, SPECIAL_SIZE);
    }

    /** {@code _bt_restore_meta}: rebuild the metapage from xl_btree_metadata at {@code md} in {@code src}. */
    public static void restoreMeta(byte[] page, byte[] src, int md) {
        pageInit(page);
        int m = PageOps.SIZE_OF_PAGE_HEADER;
        Bytes.putI32(page, m, BTREE_MAGIC);
        Bytes.putI32(page, m + 4, Bytes.i32(src, md));
        Bytes.putI32(page, m + 8, Bytes.i32(src, md + 4));
        Bytes.putI32(page, m + 12, Bytes.i32(src, md + 8));
        Bytes.putI32(page, m + 16, Bytes.i32(src, md + 12));
        Bytes.putI32(page, m + 20, Bytes.i32(src, md + 16));
        Bytes.putI32(page, m + 24, Bytes.i32(src, md + 20));
        Bytes.putI64(page, m + 32, Double.doubleToRawLongBits(-1.0));
        page[m + 40] = src[md + 24];
        setFlags(page, BTP_META);
        IndexPage.setLower(page, META_PD_LOWER);
    }

    /**
     * {@code _bt_restore_page}: {@code len} bytes at {@code from} are an old page's [pd_upper, pd_special), whose
     * first item is the highest-numbered one. Each item is re-added with its MAXALIGNed size.
     */
    public static void restorePage(byte[] page, byte[] src, int from, int len) {
        int end = from + len;
        int[] starts = new int[BLCKSZ / 16];
        int[] sizes = new int[starts.length];
        int n = 0;
        int pos = from;
        while (pos < end) {
            if (pos + INDEX_TUPLE_HEADER > end || n == starts.length) {
                throw new RedoException("page image bytes end inside an index tuple at " + (pos - from));
            }
            int size = maxAlign(IndexRedoSupport.indexTupleSize(src, pos));
            if (size == 0) {
                throw new RedoException("zero-length index tuple at " + (pos - from) + " of a page image");
            }
            starts[n] = pos;
            sizes[n] = size;
            n++;
            pos += size;
        }
        if (pos != end) {
            throw new RedoException("the last index tuple runs " + (pos - end) + " bytes past the page image");
        }
        for (int i = n - 1; i >= 0; i--) {
            IndexPage.pageAddItem(page, src, starts[i], sizes[i], n - i, false);
        }
    }

    /**
     * A half-dead leaf rebuilt from nothing (MARK_PAGE_HALFDEAD, and UNLINK_PAGE of an internal target): empty but
     * for a dummy 8-byte high key whose block number is the top parent and whose natts are 0.
     */
    public static void initHalfDeadLeaf(byte[] page, int leftBlk, int rightBlk, int topParent) {
        pageInit(page);
        setPrev(page, leftBlk);
        setNext(page, rightBlk);
        setLevel(page, 0);
        setFlags(page, BTP_HALF_DEAD | BTP_LEAF);
        setCycleId(page, 0);
        byte[] trunc = new byte[INDEX_TUPLE_HEADER];
        IndexRedoSupport.setTidBlock(trunc, 0, topParent);
        IndexRedoSupport.setTidOffset(trunc, 0, 0);
        IndexRedoSupport.setTInfo(trunc, 0, INDEX_TUPLE_HEADER | INDEX_ALT_TID_MASK);
        IndexPage.pageAddItem(page, trunc, 0, INDEX_TUPLE_HEADER, P_HIKEY, false);
    }

    /** {@code BTPageSetDeleted} on a freshly initialised page. */
    public static void setDeleted(byte[] page, long safeXid) {
        setFlags(page, (flags(page) & ~BTP_HALF_DEAD) | BTP_DELETED | BTP_HAS_FULLXID);
        IndexPage.setLower(page, PageOps.SIZE_OF_PAGE_HEADER + 8);
        IndexPage.setUpper(page, IndexPage.special(page));
        Bytes.putI64(page, PageOps.SIZE_OF_PAGE_HEADER, safeXid);
    }
}

package dev.strata.storage.redo.gin;

import dev.strata.storage.redo.page.Bytes;
import dev.strata.storage.redo.page.PageOps;
import dev.strata.storage.redo.RedoException;
import dev.strata.storage.redo.nbtree.IndexPage;

/**
 * GIN page structures ({@code ginblock.h}).
 *
 * <p>Special space, GinPageOpaqueData (8 bytes at pd_special = 8184): rightlink u32 @0, maxoff u16 @4 (posting items
 * on an internal data page; heap tuples on a list page), flags u16 @6 (DATA 0x01, LEAF 0x02, DELETED 0x04, META
 * 0x08, LIST 0x10, LIST_FULLROW 0x20, INCOMPLETE_SPLIT 0x40, COMPRESSED 0x80).
 *
 * <p>Data (posting tree) pages: the right bound ItemPointerData at offset 24, then from offset 32 either the
 * compressed posting list segments (leaf; pd_lower = 32 + their total size) or PostingItems (internal; 10 bytes
 * each: child block id (hi u16, lo u16) then the key ItemPointerData; pd_lower = 32 + 10 × maxoff). Entry and list
 * pages hold index tuples in the standard layout. A deleted page keeps its delete xid in pd_prune_xid.
 *
 * <p>Metapage (block 0), GinMetaPageData at offset 24 (56 bytes, pd_lower = 80): head @0, tail @4, tailFreeSize
 * @8, nPendingPages @12, nPendingHeapTuples i64 @16, nTotalPages @24, nEntryPages @28, nDataPages @32, 4 pad bytes,
 * nEntries i64 @40, ginVersion i32 @48, 4 pad bytes.
 */
final class GinPage {
    static final int SPECIAL_SIZE = 8;
    static final int OPAQUE = PageOps.BLCKSZ - SPECIAL_SIZE;
    static final int DATA_START = 32;
    static final int POSTING_ITEM_SIZE = 10;
    static final int META_SIZE = 56;

    static final int GIN_DATA = 0x01;
    static final int GIN_LEAF = 0x02;
    static final int GIN_DELETED = 0x04;
    static final int GIN_META = 0x08;
    static final int GIN_LIST = 0x10;
    static final int GIN_LIST_FULLROW = 0x20;
    static final int GIN_INCOMPLETE_SPLIT = 0x40;
    static final int GIN_COMPRESSED = 0x80;
    private static final int GIN_CURRENT_VERSION = 2;

    private GinPage() {
    }

    static int flags(byte[] page) {
        return Bytes.u16(page, IndexPage.opaque(page, SPECIAL_SIZE) + 6);
    }

    static void setFlags(byte[] page, int flags) {
        Bytes.putU16(page, IndexPage.special(page) + 6, flags);
    }

    static int maxoff(byte[] page) {
        return Bytes.u16(page, IndexPage.special(page) + 4);
    }

    static void setMaxoff(byte[] page, int maxoff) {
        Bytes.putU16(page, IndexPage.special(page) + 4, maxoff);
    }

    static void setRightlink(byte[] page, int blkno) {
        Bytes.putI32(page, IndexPage.special(page), blkno);
    }

    static void check(byte[] page) {
        if (IndexPage.special(page) != OPAQUE) {
            throw new RedoException("not a GIN page: pd_special is " + IndexPage.special(page));
        }
    }

    /** {@code GinInitPage}: an empty page with the given flags and no right link. */
    static void initPage(byte[] page, int flags) {
        IndexPage.pageInit(page, SPECIAL_SIZE);
        setFlags(page, flags);
        setRightlink(page, IndexPage.INVALID_BLOCK);
    }

    /** {@code GinInitMetabuffer}: an empty pending list and version 2 (the caller then copies logged metadata). */
    static void initMeta(byte[] page) {
        initPage(page, GIN_META);
        int m = PageOps.SIZE_OF_PAGE_HEADER;
        Bytes.putI32(page, m, IndexPage.INVALID_BLOCK);
        Bytes.putI32(page, m + 4, IndexPage.INVALID_BLOCK);
        Bytes.putI32(page, m + 48, GIN_CURRENT_VERSION);
        IndexPage.setLower(page, m + META_SIZE);
    }

    /** {@code GinDataPageSetDataSize}. */
    static void setDataSize(byte[] page, int size) {
        if (size < 0 || DATA_START + size > OPAQUE) {
            throw new RedoException("GIN data size " + size + " does not fit a page");
        }
        IndexPage.setLower(page, DATA_START + size);
    }

    /** Byte position of PostingItem {@code i} (1-based) on an internal data page. */
    static int postingItem(int i) {
        return DATA_START + (i - 1) * POSTING_ITEM_SIZE;
    }
}

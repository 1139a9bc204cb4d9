package dev.strata.storage.redo.gin;

import dev.strata.storage.redo.page.Bytes;
import dev.strata.storage.redo.page.PageOps;
import dev.strata.storage.redo.RedoException;
import dev.strata.storage.redo.nbtree.IndexPage;
import dev.strata.storage.redo.nbtree.IndexRedoSupport;
import dev.strata.storage.wal.DecodedRecord;

/** The fast-update pending list records: UPDATE_META_PAGE, INSERT_LISTPAGE and DELETE_LISTPAGE. */
final class GinListRedo {
    private GinListRedo() {
    }

    /**
     * UPDATE_META_PAGE, main data ginxlogUpdateMeta (88 bytes): RelFileNode @0, GinMetaPageData @16 (56 bytes),
     * prevTail u32 @72, newRightlink u32 @76, ntuples i32 @80. Block 0, the metapage, is rebuilt with the logged
     * metadata. Block 1: when ntuples &gt; 0 the tail page gets the tuples in its data (appended, each IndexTupleSize
     * bytes) and one more heap tuple counted in maxoff; otherwise, when prevTail is valid, the old tail is linked to
     * the new one.
     */
    static void updateMeta(DecodedRecord r, int blockId, byte[] page) {
        byte[] raw = r.raw();
        int md = IndexRedoSupport.mainData(r, 84);
        if (blockId == 0) {
            rebuildMeta(r, page, raw, md + 16);
            return;
        }
        IndexRedoSupport.only(blockId, 1);
        GinPage.check(page);
        int ntuples = Bytes.i32(raw, md + 80);
        if (ntuples > 0) {
            int off = IndexPage.isEmpty(page) ? 1 : IndexPage.maxOffset(page) + 1;
            addTuples(r, 1, ntuples, page, off);
            GinPage.setMaxoff(page, GinPage.maxoff(page) + 1);
        } else if (Bytes.i32(raw, md + 72) != IndexPage.INVALID_BLOCK) {
            GinPage.setRightlink(page, Bytes.i32(raw, md + 76));
        } else {
            throw new RedoException("UPDATE_META_PAGE changes block id 1 only with tuples or a previous tail");
        }
    }

    /**
     * INSERT_LISTPAGE, main data: rightlink u32 @0, ntuples i32 @4. Block 0 (will-init) data: the tuples, each
     * IndexTupleSize bytes. The last page of a row's run (no right link) is marked FULLROW and counts one heap tuple.
     */
    static void insertListPage(DecodedRecord r, int blockId, byte[] page) {
        IndexRedoSupport.only(blockId, 0);
        byte[] raw = r.raw();
        int md = IndexRedoSupport.mainData(r, 8);
        int rightlink = Bytes.i32(raw, md);
        GinPage.initPage(page, GinPage.GIN_LIST);
        GinPage.setRightlink(page, rightlink);
        if (rightlink == IndexPage.INVALID_BLOCK) {
            GinPage.setFlags(page, GinPage.flags(page) | GinPage.GIN_LIST_FULLROW);
            GinPage.setMaxoff(page, 1);
        } else {
            GinPage.setMaxoff(page, 0);
        }
        addTuples(r, 0, Bytes.i32(raw, md + 4), page, 1);
    }

    /**
     * DELETE_LISTPAGE, main data ginxlogDeleteListPages (64 bytes): GinMetaPageData @0 (56 bytes), ndeleted i32 @56.
     * Block 0, the metapage, is rebuilt with the logged metadata; blocks 1..ndeleted (will-init) become empty
     * deleted pages.
     */
    static void deleteListPages(DecodedRecord r, int blockId, byte[] page) {
        byte[] raw = r.raw();
        int md = IndexRedoSupport.mainData(r, 60);
        if (blockId == 0) {
            rebuildMeta(r, page, raw, md);
            return;
        }
        int ndeleted = Bytes.i32(raw, md + 56);
        if (blockId < 1 || blockId > ndeleted) {
            throw new RedoException("DELETE_LISTPAGE deletes " + ndeleted + " pages, block id " + blockId
                    + " is not one of them");
        }
        GinPage.initPage(page, GinPage.GIN_DELETED);
    }

    private static void rebuildMeta(DecodedRecord r, byte[] page, byte[] raw, int metadata) {
        if (r.block(0) == null || r.block(0).blkno() != 0) {
            throw new RedoException("the GIN metapage must be block 0");
        }
        GinPage.initMeta(page);
        System.arraycopy(raw, metadata, page, PageOps.SIZE_OF_PAGE_HEADER, GinPage.META_SIZE);
    }

    private static void addTuples(DecodedRecord r, int id, int ntuples, byte[] page, int firstOff) {
        byte[] raw = r.raw();
        int len = IndexRedoSupport.blockDataLength(r, id);
        int pos = ntuples == 0 ? 0 : IndexRedoSupport.blockData(r, id, IndexRedoSupport.INDEX_TUPLE_HEADER);
        int end = pos + len;
        int off = firstOff;
        for (int i = 0; i < ntuples; i++) {
            IndexRedoSupport.checkRange(pos, IndexRedoSupport.INDEX_TUPLE_HEADER, pos, end, "pending tuple");
            int size = IndexRedoSupport.indexTupleSize(raw, pos);
            IndexRedoSupport.checkRange(pos, size, pos, end, "pending tuple");
            IndexPage.pageAddItem(page, raw, pos, size, off++, false);
            pos += size;
        }
        if (pos != end) {
            throw new RedoException((end - pos) + " bytes of block data left after " + ntuples + " tuples");
        }
    }
}

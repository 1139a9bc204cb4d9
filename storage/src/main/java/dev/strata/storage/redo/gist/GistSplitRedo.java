package dev.strata.storage.redo.gist;

import dev.strata.storage.redo.page.Bytes;
import dev.strata.storage.redo.RedoException;
import dev.strata.storage.redo.nbtree.IndexPage;
import dev.strata.storage.redo.nbtree.IndexRedoSupport;
import dev.strata.storage.wal.DecodedRecord;

/** PAGE_SPLIT: each of the split pages (block ids 1..npage) is rebuilt from its logged tuples. */
final class GistSplitRedo {
    private GistSplitRedo() {
    }

    static void splitPage(DecodedRecord r, int blockId, byte[] page) {
        byte[] raw = r.raw();
        int md = IndexRedoSupport.mainData(r, 21);
        long origNsn = Bytes.i64(raw, md + 8);
        int origRlink = Bytes.i32(raw, md);
        boolean origLeaf = raw[md + 16] != 0;
        int npage = Bytes.u16(raw, md + 18);
        boolean markFollowRight = raw[md + 20] != 0;
        int i = blockId - 1;
        if (i < 0 || i >= npage) {
            throw new RedoException("the split has " + npage + " pages, block id " + blockId + " is not one");
        }
        int blkno = IndexRedoSupport.blockNumber(r, blockId);
        boolean rootSplit = IndexRedoSupport.blockNumber(r, 1) == GistRedo.GIST_ROOT_BLKNO;
        if (blkno == GistRedo.GIST_ROOT_BLKNO && i != 0) {
            throw new RedoException("the root can only be the first page of a split");
        }
        int len = IndexRedoSupport.blockDataLength(r, blockId);
        int data = IndexRedoSupport.blockData(r, blockId, 4);
        int num = Bytes.i32(raw, data);

        IndexPage.pageInit(page, GistRedo.SPECIAL_SIZE);
        int o = IndexPage.special(page);
        Bytes.putI32(page, o + 8, IndexPage.INVALID_BLOCK);
        Bytes.putU16(page, o + 12, origLeaf && blkno != GistRedo.GIST_ROOT_BLKNO ? GistRedo.F_LEAF : 0);
        Bytes.putU16(page, o + 14, GistRedo.GIST_PAGE_ID);
        int added = GistRedo.addTuples(page, raw, data + 4, data + len, 1);
        if (added != num) {
            throw new RedoException(added + " tuples logged for a page of " + num);
        }
        if (blkno == GistRedo.GIST_ROOT_BLKNO) {
            Bytes.putI32(page, o + 8, IndexPage.INVALID_BLOCK);
            GistRedo.setNsn(page, origNsn);
            GistRedo.setFlags(page, GistRedo.flags(page) & ~GistRedo.F_FOLLOW_RIGHT);
        } else {
            int rightlink = i < npage - 1 ? IndexRedoSupport.blockNumber(r, blockId + 1) : origRlink;
            Bytes.putI32(page, o + 8, rightlink);
            GistRedo.setNsn(page, origNsn);
            if (i < npage - 1 && !rootSplit && markFollowRight) {
                GistRedo.setFlags(page, GistRedo.flags(page) | GistRedo.F_FOLLOW_RIGHT);
            } else {
                GistRedo.setFlags(page, GistRedo.flags(page) & ~GistRedo.F_FOLLOW_RIGHT);
            }
        }
    }
}

package dev.strata.storage.redo.hash;

import dev.strata.storage.redo.page.Bytes;
import dev.strata.storage.redo.RedoException;
import dev.strata.storage.redo.nbtree.IndexPage;
import dev.strata.storage.redo.nbtree.IndexRedoSupport;
import dev.strata.storage.wal.DecodedRecord;

/**
 * The hash records that move or remove tuples within a bucket chain. In MOVE_PAGE_CONTENTS, SQUEEZE_PAGE and DELETE
 * block 0, when present, is the primary bucket page registered only to take its cleanup lock: PostgreSQL neither
 * changes it nor stamps its LSN, and neither does this.
 */
final class HashBucketRedo {
    private HashBucketRedo() {
    }

    /** @return whether the page LSN is to be set */
    static boolean apply(DecodedRecord r, int info, int blockId, byte[] page) {
        if (blockId == 0 && info != HashRedo.VACUUM_ONE_PAGE) {
            return false;
        }
        switch (info) {
            case HashRedo.MOVE_PAGE_CONTENTS -> moveContents(r, blockId, page);
            case HashRedo.SQUEEZE_PAGE -> squeeze(r, blockId, page);
            case HashRedo.DELETE -> {
                IndexRedoSupport.only(blockId, 1);
                HashPage.check(page);
                int md = IndexRedoSupport.mainData(r, 2);
                deleteOffsets(r, 1, page);
                if (r.raw()[md] != 0) {
                    HashPage.setFlag(page, HashPage.flag(page) & ~HashPage.LH_PAGE_HAS_DEAD_TUPLES);
                }
            }
            case HashRedo.VACUUM_ONE_PAGE -> vacuumOnePage(r, blockId, page);
            default -> throw new IllegalStateException("not a bucket record: " + info);
        }
        return true;
    }

    /**
     * MOVE_PAGE_CONTENTS, main data: ntups u16 @0, is_prim_bucket_same_wrt bool @2. Block 1 (the page written to)
     * data: ntups target offsets u16, then the tuples, each MAXALIGN(IndexTupleSize) bytes. Block 2 (the page read
     * from) data: the offsets deleted, u16 each.
     */
    private static void moveContents(DecodedRecord r, int blockId, byte[] page) {
        int ntups = Bytes.u16(r.raw(), IndexRedoSupport.mainData(r, 3));
        HashPage.check(page);
        if (blockId == 1) {
            addTuples(r, ntups, page);
        } else if (blockId == 2) {
            deleteOffsets(r, 2, page);
        } else {
            throw new RedoException("MOVE_PAGE_CONTENTS references block ids 0..2");
        }
    }

    /**
     * SQUEEZE_PAGE, main data (12 bytes): prevblkno u32 @0, nextblkno u32 @4, ntups u16 @8,
     * is_prim_bucket_same_wrt bool @10, is_prev_bucket_same_wrt bool @11. Blocks: 1 the page written to (data as in
     * MOVE_PAGE_CONTENTS; its nextblkno changes too when it precedes the freed page), 2 the freed overflow page
     * (reinitialised UNUSED), 3 the freed page's predecessor when that is not block 1, 4 its successor, 5 the bitmap
     * page (data the bit u32 to clear), 6 the metapage (data the new hashm_firstfree u32).
     */
    private static void squeeze(DecodedRecord r, int blockId, byte[] page) {
        byte[] raw = r.raw();
        int md = IndexRedoSupport.mainData(r, 12);
        int prevBlkno = Bytes.i32(raw, md);
        int nextBlkno = Bytes.i32(raw, md + 4);
        boolean prevIsWrite = raw[md + 11] != 0;
        switch (blockId) {
            case 1 -> {
                HashPage.check(page);
                addTuples(r, Bytes.u16(raw, md + 8), page);
                if (prevIsWrite) {
                    HashPage.setNext(page, nextBlkno);
                }
            }
            case 2 -> {
                IndexPage.pageInit(page, HashPage.SPECIAL_SIZE);
                int o = HashPage.opaque(page);
                Bytes.putI32(page, o, IndexPage.INVALID_BLOCK);
                Bytes.putI32(page, o + 4, IndexPage.INVALID_BLOCK);
                Bytes.putI32(page, o + 8, HashPage.INVALID_BUCKET);
                Bytes.putU16(page, o + 12, HashPage.LH_UNUSED_PAGE);
                Bytes.putU16(page, o + 14, HashPage.PAGE_ID);
            }
            case 3 -> {
                if (prevIsWrite) {
                    throw new RedoException("block id 3 given although the previous page is the write page");
                }
                HashPage.check(page);
                HashPage.setNext(page, nextBlkno);
            }
            case 4 -> {
                HashPage.check(page);
                HashPage.setPrev(page, prevBlkno);
            }
            case 5 -> {
                HashPage.check(page);
                HashPage.setBitmapBit(page, Bytes.i32(raw, IndexRedoSupport.blockData(r, 5, 4)), false);
            }
            case 6 -> {
                HashPage.checkMeta(page);
                Bytes.putI32(page, HashPage.M_FIRSTFREE, Bytes.i32(raw, IndexRedoSupport.blockData(r, 6, 4)));
            }
            default -> throw new RedoException("SQUEEZE_PAGE references block ids 0..6");
        }
    }

    /**
     * VACUUM_ONE_PAGE, main data: latestRemovedXid u32 @0, ntuples i32 @4, then ntuples offsets u16. Block 0 the
     * page (LP_DEAD items removed, PAGE_HAS_DEAD_TUPLES cleared), block 1 the metapage (hashm_ntuples − ntuples).
     */
    private static void vacuumOnePage(DecodedRecord r, int blockId, byte[] page) {
        byte[] raw = r.raw();
        int md = IndexRedoSupport.mainData(r, 8);
        int ntuples = Bytes.i32(raw, md + 4);
        if (blockId == 0) {
            HashPage.check(page);
            if (r.mainDataLength() > 8) {
                IndexRedoSupport.checkRange(md + 8, 2 * ntuples, md, md + r.mainDataLength(), "offset array");
                IndexPage.pageIndexMultiDelete(page, IndexRedoSupport.u16Array(raw, md + 8, ntuples), ntuples);
            }
            HashPage.setFlag(page, HashPage.flag(page) & ~HashPage.LH_PAGE_HAS_DEAD_TUPLES);
        } else if (blockId == 1) {
            HashPage.checkMeta(page);
            double n = Double.longBitsToDouble(Bytes.i64(page, HashPage.M_NTUPLES));
            Bytes.putI64(page, HashPage.M_NTUPLES, Double.doubleToRawLongBits(n - ntuples));
        } else {
            throw new RedoException("VACUUM_ONE_PAGE references block ids 0 and 1");
        }
    }

    /** Adds the tuples logged in block 1's data at their logged offsets. */
    private static void addTuples(DecodedRecord r, int ntups, byte[] page) {
        byte[] raw = r.raw();
        int len = IndexRedoSupport.blockDataLength(r, 1);
        if (len == 0) {
            return;
        }
        int begin = IndexRedoSupport.blockData(r, 1, 2 * ntups);
        int end = begin + len;
        if (ntups == 0) {
            return;
        }
        int pos = begin + 2 * ntups;
        int inserted = 0;
        while (pos < end) {
            if (inserted == ntups) {
                throw new RedoException("more tuples logged than the " + ntups + " target offsets");
            }
            IndexRedoSupport.checkRange(pos, IndexRedoSupport.INDEX_TUPLE_HEADER, begin, end, "index tuple");
            int size = IndexPage.maxAlign(IndexRedoSupport.indexTupleSize(raw, pos));
            IndexRedoSupport.checkRange(pos, size, begin, end, "index tuple");
            IndexPage.pageAddItem(page, raw, pos, size, Bytes.u16(raw, begin + 2 * inserted), false);
            pos += size;
            inserted++;
        }
        if (inserted != ntups) {
            throw new RedoException(inserted + " tuples logged for " + ntups + " target offsets");
        }
    }

    /** PageIndexMultiDelete of the u16 offsets that make up block {@code id}'s data. */
    private static void deleteOffsets(DecodedRecord r, int id, byte[] page) {
        int len = IndexRedoSupport.blockDataLength(r, id);
        int n = len / 2;
        if (n > 0) {
            int data = IndexRedoSupport.blockData(r, id, 2 * n);
            IndexPage.pageIndexMultiDelete(page, IndexRedoSupport.u16Array(r.raw(), data, n), n);
        }
    }
}

package dev.strata.storage.redo.hash;

import dev.strata.storage.redo.page.Bytes;
import dev.strata.storage.redo.RedoException;
import dev.strata.storage.redo.nbtree.IndexPage;
import dev.strata.storage.redo.nbtree.IndexRedoSupport;
import dev.strata.storage.wal.DecodedRecord;

/** The hash records that allocate pages: ADD_OVFL_PAGE and SPLIT_ALLOCATE_PAGE. */
final class HashOverflowRedo {
    private HashOverflowRedo() {
    }

    /**
     * ADD_OVFL_PAGE, main data: bmsize u16 @0, bmpage_found bool @2. Blocks: 0 the new overflow page (will-init;
     * data its bucket u32), 1 the page it is linked after, 2 the bitmap page whose bit is set (data the bit u32,
     * when an existing bit was used), 3 a new bitmap page (will-init, when one was added), 4 the metapage (data the
     * new hashm_firstfree u32).
     */
    static void addOverflowPage(DecodedRecord r, int blockId, byte[] page) {
        byte[] raw = r.raw();
        int md = IndexRedoSupport.mainData(r, 3);
        switch (blockId) {
            case 0 -> {
                int bucket = Bytes.i32(raw, IndexRedoSupport.blockData(r, 0, 4));
                HashPage.initBuf(page, IndexPage.INVALID_BLOCK, bucket, HashPage.LH_OVERFLOW_PAGE);
                HashPage.setPrev(page, IndexRedoSupport.blockNumber(r, 1));
            }
            case 1 -> {
                HashPage.check(page);
                HashPage.setNext(page, IndexRedoSupport.blockNumber(r, 0));
            }
            case 2 -> {
                HashPage.check(page);
                HashPage.setBitmapBit(page, Bytes.i32(raw, IndexRedoSupport.blockData(r, 2, 4)), true);
            }
            case 3 -> HashPage.initBitmap(page, Bytes.u16(raw, md));
            case 4 -> {
                HashPage.checkMeta(page);
                Bytes.putI32(page, HashPage.M_FIRSTFREE, Bytes.i32(raw, IndexRedoSupport.blockData(r, 4, 4)));
                if (raw[md + 2] == 0) {
                    int ovflpoint = Bytes.i32(page, HashPage.M_OVFLPOINT);
                    checkSplitpoint(ovflpoint);
                    int spare = HashPage.M_SPARES + 4 * ovflpoint;
                    Bytes.putI32(page, spare, Bytes.i32(page, spare) + 1);
                    if (r.hasBlock(3)) {
                        int nmaps = Bytes.i32(page, HashPage.M_NMAPS);
                        HashRedo.checkMapIndex(nmaps);
                        Bytes.putI32(page, HashPage.M_MAPP + 4 * nmaps, r.block(3).blkno());
                        Bytes.putI32(page, HashPage.M_NMAPS, nmaps + 1);
                        Bytes.putI32(page, spare, Bytes.i32(page, spare) + 1);
                    }
                }
            }
            default -> throw new RedoException("ADD_OVFL_PAGE references block ids 0..4");
        }
    }

    /**
     * SPLIT_ALLOCATE_PAGE, main data (9 bytes): new_bucket u32 @0, old_bucket_flag u16 @4, new_bucket_flag u16 @6,
     * flags u8 @8 (0x01 masks updated, 0x02 splitpoint updated). Blocks: 0 the old bucket's primary page, 1 the new
     * bucket's primary page (will-init), 2 the metapage, whose data is lowmask u32 and highmask u32 when flags has
     * 0x01, then ovflpoint u32 and that splitpoint's spare count u32 when flags has 0x02.
     */
    static void splitAllocate(DecodedRecord r, int blockId, byte[] page) {
        byte[] raw = r.raw();
        int md = IndexRedoSupport.mainData(r, 9);
        int newBucket = Bytes.i32(raw, md);
        switch (blockId) {
            case 0 -> {
                HashPage.check(page);
                HashPage.setFlag(page, Bytes.u16(raw, md + 4));
                HashPage.setPrev(page, newBucket);
            }
            case 1 -> HashPage.initBuf(page, newBucket, newBucket, Bytes.u16(raw, md + 6));
            case 2 -> {
                HashPage.checkMeta(page);
                Bytes.putI32(page, HashPage.M_MAXBUCKET, newBucket);
                int flags = raw[md + 8] & 0xFF;
                int need = ((flags & 1) != 0 ? 8 : 0) + ((flags & 2) != 0 ? 8 : 0);
                int data = need == 0 ? 0 : IndexRedoSupport.blockData(r, 2, need);
                if ((flags & 1) != 0) {
                    Bytes.putI32(page, HashPage.M_LOWMASK, Bytes.i32(raw, data));
                    Bytes.putI32(page, HashPage.M_HIGHMASK, Bytes.i32(raw, data + 4));
                    data += 8;
                }
                if ((flags & 2) != 0) {
                    int ovflpoint = Bytes.i32(raw, data);
                    checkSplitpoint(ovflpoint);
                    Bytes.putI32(page, HashPage.M_SPARES + 4 * ovflpoint, Bytes.i32(raw, data + 4));
                    Bytes.putI32(page, HashPage.M_OVFLPOINT, ovflpoint);
                }
            }
            default -> throw new RedoException("SPLIT_ALLOCATE_PAGE references block ids 0..2");
        }
    }

    private static void checkSplitpoint(int ovflpoint) {
        if (ovflpoint < 0 || ovflpoint >= HashPage.MAX_SPLITPOINTS) {
            throw new RedoException("splitpoint " + ovflpoint + " is out of range");
        }
    }
}

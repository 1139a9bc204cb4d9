package dev.strata.storage.redo.heap;

import dev.strata.storage.redo.mask.BufMask;
import dev.strata.storage.redo.page.PageOps;

import java.util.Arrays;

import static dev.strata.storage.redo.heap.HeapTuples.*;
import static dev.strata.storage.redo.page.Bytes.maxAlign;

/** {@code heap_mask} (Heap and Heap2, which includes the visibility-map pages of VISIBLE records). */
public final class HeapMask {
    private HeapMask() {
    }

    public static void mask(byte[] page, int blkno) {
        BufMask.maskPageLsnAndChecksum(page);
        BufMask.maskPageHintBits(page);
        BufMask.maskUnusedSpace(page);
        int maxoff = PageOps.pageGetMaxOffsetNumber(page);
        for (int off = 1; off <= maxoff; off++) {
            int w = PageOps.pageGetItemId(page, off);
            int item = PageOps.lpOff(w);
            int len = PageOps.lpLen(w);
            if (PageOps.lpFlags(w) == PageOps.LP_NORMAL && item + SIZEOF_HEAP_TUPLE_HEADER <= PageOps.BLCKSZ) {
                int infomask = infomask(page, item);
                if ((infomask & HEAP_XMIN_FROZEN) != HEAP_XMIN_FROZEN) {
                    infomask &= ~HEAP_XACT_MASK;
                } else {
                    infomask &= ~(HEAP_XMAX_INVALID | HEAP_XMAX_COMMITTED);
                }
                setInfomask(page, item, infomask);
                dev.strata.storage.redo.page.Bytes.putI32(page, item + T_CID, BufMask.MASK_MARKER);
                if (ctidOffset(page, item) == SPEC_TOKEN_OFFSET_NUMBER) {
                    setCtid(page, item, blkno, off);
                }
            }
            if (len != 0) {
                int end = Math.min(item + maxAlign(len), PageOps.BLCKSZ);
                if (item + len < end) {
                    Arrays.fill(page, item + len, end, BufMask.MASK_MARKER);
                }
            }
        }
    }
}

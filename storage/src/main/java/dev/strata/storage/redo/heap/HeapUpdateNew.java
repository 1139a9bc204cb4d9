package dev.strata.storage.redo.heap;

import dev.strata.storage.redo.RedoException;
import dev.strata.storage.redo.page.PageOps;
import dev.strata.storage.wal.BlockRef;
import dev.strata.storage.wal.DecodedRecord;

import static dev.strata.storage.redo.heap.HeapRedo.SIZE_OF_HEAP_HEADER;
import static dev.strata.storage.redo.heap.HeapRedo.XLH_UPDATE_NEW_ALL_VISIBLE_CLEARED;
import static dev.strata.storage.redo.heap.HeapRedo.XLH_UPDATE_PREFIX_FROM_OLD;
import static dev.strata.storage.redo.heap.HeapRedo.XLH_UPDATE_SUFFIX_FROM_OLD;
import static dev.strata.storage.redo.heap.HeapRedo.XLOG_HEAP_INIT_PAGE;
import static dev.strata.storage.redo.heap.HeapTuples.SIZEOF_HEAP_TUPLE_HEADER;
import static dev.strata.storage.redo.heap.HeapTuples.hoff;
import static dev.strata.storage.redo.heap.HeapTuples.normalTuple;
import static dev.strata.storage.redo.heap.HeapTuples.setXmax;
import static dev.strata.storage.redo.page.Bytes.i32;
import static dev.strata.storage.redo.page.Bytes.u16;
import static dev.strata.storage.redo.page.Bytes.u8;

/**
 * The new-tuple half of heap UPDATE / HOT_UPDATE redo. The tuple is rebuilt as: 23-byte header, the WAL's bitmap
 * and padding (t_hoff - 23 bytes), the old tuple's first prefixlen data bytes, the rest of the WAL bytes, the old
 * tuple's last suffixlen bytes. Prefix and suffix are only logged when old and new share the page.
 */
final class HeapUpdateNew {
    private HeapUpdateNew() {
    }

    static void apply(DecodedRecord rec, byte[] page, boolean samePage) {
        byte[] raw = rec.raw();
        int md = rec.mainDataOffset();
        int flags = u8(raw, md + 7);
        int newOffnum = u16(raw, md + 12);
        BlockRef blk = rec.block(0);
        if (!samePage && (rec.rmgrInfo() & XLOG_HEAP_INIT_PAGE) != 0) {
            PageOps.pageInit(page, 0);
        }
        if (PageOps.pageGetMaxOffsetNumber(page) + 1 < newOffnum) {
            throw new RedoException("invalid max offset number: offset " + newOffnum + " on a page with "
                    + PageOps.pageGetMaxOffsetNumber(page) + " line pointers");
        }
        int p = blk.dataOffset();
        int end = p + blk.dataLength();
        int prefixLen = 0;
        int suffixLen = 0;
        if ((flags & XLH_UPDATE_PREFIX_FROM_OLD) != 0) {
            prefixLen = u16(raw, p);
            p += 2;
        }
        if ((flags & XLH_UPDATE_SUFFIX_FROM_OLD) != 0) {
            suffixLen = u16(raw, p);
            p += 2;
        }
        int xlhdr = p;
        p += SIZE_OF_HEAP_HEADER;
        int tupLen = end - p;
        if (tupLen < 0) {
            throw new RedoException("update block data of " + blk.dataLength() + " bytes is too short");
        }
        int oldTuple = -1;
        int oldLen = 0;
        if (prefixLen > 0 || suffixLen > 0) {
            if (!samePage) {
                throw new RedoException("update takes a prefix or suffix from an old tuple on another page");
            }
            int oldOffnum = u16(raw, md + 4);
            oldTuple = normalTuple(page, oldOffnum);
            oldLen = PageOps.itemIdGetLength(page, oldOffnum);
            if (prefixLen + hoff(page, oldTuple) > oldLen || suffixLen > oldLen) {
                throw new RedoException("prefix " + prefixLen + " / suffix " + suffixLen
                        + " longer than the old tuple of " + oldLen + " bytes");
            }
        }
        byte[] t = new byte[SIZEOF_HEAP_TUPLE_HEADER + tupLen + prefixLen + suffixLen];
        int w = SIZEOF_HEAP_TUPLE_HEADER;
        if (prefixLen > 0) {
            int bitmapLen = (raw[xlhdr + 4] & 0xFF) - SIZEOF_HEAP_TUPLE_HEADER;
            if (bitmapLen < 0 || bitmapLen > tupLen) {
                throw new RedoException("t_hoff " + (raw[xlhdr + 4] & 0xFF) + " does not fit the logged tuple");
            }
            System.arraycopy(raw, p, t, w, bitmapLen);
            w += bitmapLen;
            System.arraycopy(page, oldTuple + hoff(page, oldTuple), t, w, prefixLen);
            w += prefixLen;
            System.arraycopy(raw, p + bitmapLen, t, w, tupLen - bitmapLen);
            w += tupLen - bitmapLen;
        } else {
            System.arraycopy(raw, p, t, w, tupLen);
            w += tupLen;
        }
        if (suffixLen > 0) {
            System.arraycopy(page, oldTuple + oldLen - suffixLen, t, w, suffixLen);
        }
        HeapRedo.fillHeader(t, raw, xlhdr, rec.xid(), blk.blkno(), newOffnum);
        setXmax(t, 0, i32(raw, md + 8));
        HeapRedo.addTuple(page, t, newOffnum);
        if ((flags & XLH_UPDATE_NEW_ALL_VISIBLE_CLEARED) != 0) {
            PageOps.pageClearAllVisible(page);
        }
        PageOps.pageSetLSN(page, rec.endLsn());
    }
}

package dev.strata.storage.redo.generic;

import dev.strata.storage.redo.RedoException;
import dev.strata.storage.redo.RmgrRedo;
import dev.strata.storage.redo.mask.BufMask;
import dev.strata.storage.redo.page.PageOps;
import dev.strata.storage.wal.BlockRef;
import dev.strata.storage.wal.DecodedRecord;

import java.util.Arrays;

import static dev.strata.storage.redo.page.Bytes.u16;

/**
 * Redo of generic WAL records (rmid 20, {@code generic_xlog.c}). Each block's data is a delta: fragments
 * {offset u16, length u16, length bytes}, applied in order; then [pd_lower, pd_upper) of the resulting header is
 * zeroed and the LSN set. Blocks logged with GENERIC_XLOG_FULL_IMAGE carry an applied image instead.
 */
public final class GenericRedo implements RmgrRedo {
    public static final int RM_GENERIC_ID = 20;

    @Override
    public void redo(DecodedRecord rec, int blockId, byte[] page) {
        BlockRef blk = rec.block(blockId);
        byte[] raw = rec.raw();
        int p = blk.dataOffset();
        int end = p + blk.dataLength();
        while (p < end) {
            if (p + 4 > end) {
                throw new RedoException("generic delta fragment header runs past the block data");
            }
            int offset = u16(raw, p);
            int length = u16(raw, p + 2);
            p += 4;
            if (p + length > end || offset + length > PageOps.BLCKSZ) {
                throw new RedoException("generic delta fragment at page offset " + offset + " of " + length
                        + " bytes runs past the data or the page");
            }
            System.arraycopy(raw, p, page, offset, length);
            p += length;
        }
        int lower = PageOps.pageGetLower(page);
        int upper = PageOps.pageGetUpper(page);
        if (lower > upper || upper > PageOps.BLCKSZ) {
            throw new RedoException("generic record left pd_lower " + lower + " above pd_upper " + upper);
        }
        Arrays.fill(page, lower, upper, (byte) 0);
        PageOps.pageSetLSN(page, rec.endLsn());
    }

    @Override
    public void mask(byte[] page, int blkno) {
        BufMask.maskPageLsnAndChecksum(page);
        BufMask.maskUnusedSpace(page);
    }
}

package dev.strata.storage.redo.seq;

import dev.strata.storage.redo.RedoException;
import dev.strata.storage.redo.RmgrRedo;
import dev.strata.storage.redo.mask.BufMask;
import dev.strata.storage.redo.page.Bytes;
import dev.strata.storage.redo.page.PageOps;
import dev.strata.storage.wal.DecodedRecord;

/**
 * Redo of the Sequence resource manager (rmid 15, {@code seq_redo}). XLOG_SEQ_LOG (0x00) main data: xl_seq_rec
 * (RelFileNode, 12 bytes) then the whole sequence tuple. Block 0 (will-init) is rebuilt: PageInit with 8 bytes of
 * special space holding the magic 0x1717, the tuple added at offset 1, LSN set.
 */
public final class SeqRedo implements RmgrRedo {
    public static final int RM_SEQ_ID = 15;
    public static final int XLOG_SEQ_LOG = 0x00;
    public static final int SEQ_MAGIC = 0x1717;
    private static final int SIZE_OF_SEQ_REC = 12;

    @Override
    public void redo(DecodedRecord rec, int blockId, byte[] page) {
        if (rec.rmgrInfo() != XLOG_SEQ_LOG) {
            throw new RedoException("seq_redo: unknown op code 0x" + Integer.toHexString(rec.rmgrInfo()));
        }
        int itemSize = rec.mainDataLength() - SIZE_OF_SEQ_REC;
        if (itemSize <= 0) {
            throw new RedoException("sequence record main data of " + rec.mainDataLength() + " bytes holds no tuple");
        }
        PageOps.pageInit(page, 4);
        Bytes.putI32(page, PageOps.pageGetSpecial(page), SEQ_MAGIC);
        if (PageOps.pageAddItem(page, rec.raw(), rec.mainDataOffset() + SIZE_OF_SEQ_REC, itemSize, 1, false, false)
                == PageOps.INVALID_OFFSET_NUMBER) {
            throw new RedoException("seq_redo: failed to add item to page");
        }
        PageOps.pageSetLSN(page, rec.endLsn());
    }

    @Override
    public void mask(byte[] page, int blkno) {
        BufMask.maskPageLsnAndChecksum(page);
        BufMask.maskUnusedSpace(page);
    }
}

package dev.strata.it.redoidx;

import dev.strata.storage.pg.Lsn;
import dev.strata.storage.pg.RelTag;
import dev.strata.storage.redo.IndexRmgrs;
import dev.strata.storage.redo.RecordTypes;
import dev.strata.storage.redo.RedoException;
import dev.strata.storage.redo.RmgrRedo;
import dev.strata.storage.redo.page.PageOps;
import dev.strata.storage.wal.BlockImages;
import dev.strata.storage.wal.BlockRef;
import dev.strata.storage.wal.DecodedRecord;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The index pages as Strata itself would rebuild them from a WAL stream: a block's version changes only by an
 * image that redo applies (and the step {@link IndexRmgrs#afterImageRestore} adds) or by Strata's own redo of the
 * record, never by the primary's checking image. Wherever the record does carry a checking image, the chained page
 * is compared with it under the rmgr's mask. This complements {@code RedoVerifier}, which restarts every block from
 * the primary's previous after-image: here a difference that a mask hides in one record but that later records
 * would expose accumulates and is caught.
 */
final class ChainedIndexRedo {
    private static final int RM_XLOG_ID = 0;
    private static final int XLOG_FPI_FOR_HINT = 0xA0;
    private static final int XLOG_FPI = 0xB0;

    private record PageKey(RelTag rel, int blkno) {
    }

    private final Map<Integer, RmgrRedo> redo = new HashMap<>();
    private final Map<PageKey, byte[]> pages = new HashMap<>();
    private final List<String> failures = new ArrayList<>();
    private long compared;

    ChainedIndexRedo() {
        IndexRmgrs.registerAll(redo);
    }

    /** Blocks where the chained page left the primary's (after a failure the chain resumes from the primary). */
    List<String> failures() {
        return failures;
    }

    /** Blocks compared with a checking image. */
    long compared() {
        return compared;
    }

    void accept(DecodedRecord r) {
        int rmid = r.rmid();
        boolean fpi = rmid == RM_XLOG_ID && (r.rmgrInfo() == XLOG_FPI || r.rmgrInfo() == XLOG_FPI_FOR_HINT);
        RmgrRedo rm = redo.get(rmid);
        if (!fpi && rm == null) {
            return;
        }
        for (int id = 0; id <= r.maxBlockId(); id++) {
            BlockRef b = r.block(id);
            if (b == null) {
                continue;
            }
            PageKey key = new PageKey(b.rel(), b.blkno());
            if (b.applyImage() || fpi && b.hasImage()) {
                byte[] page = BlockImages.restore(r, b);
                if (!PageOps.pageIsNew(page)) {
                    PageOps.pageSetLSN(page, r.endLsn());
                }
                if (!fpi) {
                    IndexRmgrs.afterImageRestore(r, id, page);
                }
                pages.put(key, page);
            } else if (rm != null) {
                block(r, id, b, rm, key);
            }
        }
    }

    private void block(DecodedRecord r, int id, BlockRef b, RmgrRedo rm, PageKey key) {
        byte[] base = b.willInit() ? new byte[PageOps.BLCKSZ] : pages.get(key);
        if (base == null || !b.willInit() && PageOps.pageIsNew(base)) {
            if (b.hasImage()) {
                pages.put(key, primary(r, b, r.endLsn()));
            }
            return;
        }
        if (!b.willInit() && Long.compareUnsigned(r.endLsn(), PageOps.pageGetLSN(base)) <= 0) {
            return;
        }
        byte[] page = base.clone();
        try {
            rm.redo(r, id, page);
        } catch (RedoException e) {
            failures.add(e.getMessage());
            pages.remove(key);
            return;
        }
        pages.put(key, page);
        if (!b.hasImage()) {
            return;
        }
        compared++;
        byte[] expected = BlockImages.restore(r, b);
        byte[] x = page.clone();
        byte[] y = expected.clone();
        rm.mask(x, b.blkno());
        rm.mask(y, b.blkno());
        int diff = Arrays.mismatch(x, y);
        if (diff >= 0) {
            failures.add(RecordTypes.label(r.rmid(), r.info()) + " at " + Lsn.format(r.lsn()) + " " + b.rel()
                    + " block " + Integer.toUnsignedString(b.blkno()) + ": first difference at offset " + diff);
            pages.put(key, primary(r, b, PageOps.pageGetLSN(page)));
        }
    }

    private static byte[] primary(DecodedRecord r, BlockRef b, long lsn) {
        byte[] page = BlockImages.restore(r, b);
        PageOps.pageSetLSN(page, lsn);
        return page;
    }
}

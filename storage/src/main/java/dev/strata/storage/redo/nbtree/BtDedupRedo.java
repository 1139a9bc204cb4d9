package dev.strata.storage.redo.nbtree;

import dev.strata.storage.redo.page.Bytes;
import dev.strata.storage.redo.page.PageOps;
import dev.strata.storage.redo.RedoException;
import dev.strata.storage.wal.DecodedRecord;

import static dev.strata.storage.redo.nbtree.BtPosting.TID_SIZE;
import static dev.strata.storage.redo.nbtree.IndexPage.maxAlign;

/**
 * DEDUP (0x60): main data nintervals u16; block 0 data, nintervals × BTDedupInterval {baseoff u16, nitems u16}.
 *
 * <p>The page is rebuilt on a temporary page: the high key (when the page has a right sibling), then the items from
 * P_FIRSTDATAKEY on, where each logged interval's run of items becomes one posting list tuple and every other item
 * is copied unchanged. As in {@code btree_xlog_dedup} the merge limit is BTMaxItemSize (2704 bytes), larger than the
 * primary's, so a logged interval is never cut short.
 */
final class BtDedupRedo {
    /** BTMaxItemSize for 8 KB pages. */
    static final int BT_MAX_ITEM_SIZE = 2704;

    private BtDedupRedo() {
    }

    static void apply(DecodedRecord r, byte[] page) {
        BtPage.checkBtreePage(page);
        byte[] raw = r.raw();
        int nintervals = Bytes.u16(raw, IndexRedoSupport.mainData(r, 2));
        int iv = nintervals == 0 ? 0 : IndexRedoSupport.blockData(r, 0, 4 * nintervals);
        int minoff = BtPage.firstDataKey(page);
        int maxoff = IndexPage.maxOffset(page);
        byte[] newpage = IndexPage.tempPageCopySpecial(page);
        if (BtPage.next(page) != BtPage.P_NONE) {
            int hikey = IndexPage.item(page, BtPage.P_HIKEY);
            IndexPage.pageAddItem(newpage, page, hikey, IndexPage.lpLen(page, BtPage.P_HIKEY), BtPage.P_HIKEY, false);
        }
        Pending pending = new Pending(page, newpage);
        int done = 0;
        for (int off = minoff; off <= maxoff; off++) {
            int itup = IndexPage.item(page, off);
            if (off == minoff) {
                pending.start(itup, off);
            } else if (done < nintervals && pending.baseOff == Bytes.u16(raw, iv + 4 * done)
                    && pending.nitems < Bytes.u16(raw, iv + 4 * done + 2)) {
                pending.add(itup);
            } else {
                done += pending.finish();
                pending.start(itup, off);
            }
        }
        if (maxoff >= minoff) {
            done += pending.finish();
        }
        if (done != nintervals) {
            throw new RedoException("deduplication formed " + done + " posting lists, the record logs "
                    + nintervals);
        }
        System.arraycopy(newpage, 0, page, 0, PageOps.BLCKSZ);
        BtPage.setFlags(page, BtPage.flags(page) & ~BtPage.BTP_HAS_GARBAGE);
        IndexPage.setLsn(page, r.endLsn());
    }

    /** BTDedupState: the pending posting list built from the items of one interval. */
    private static final class Pending {
        private final byte[] page;
        private final byte[] newpage;
        private final byte[] htids = new byte[BT_MAX_ITEM_SIZE];
        private int base;
        private int baseOff;
        private int baseTupSize;
        private int nhtids;
        private int nitems;

        Pending(byte[] page, byte[] newpage) {
            this.page = page;
            this.newpage = newpage;
        }

        void start(int itup, int off) {
            if (BtPosting.isPosting(page, itup)) {
                nhtids = BtPosting.nPosting(page, itup);
                baseTupSize = BtPosting.postingOffset(page, itup);
                copyTids(itup, 0);
            } else {
                nhtids = 1;
                baseTupSize = IndexRedoSupport.indexTupleSize(page, itup);
                System.arraycopy(page, itup, htids, 0, TID_SIZE);
            }
            nitems = 1;
            base = itup;
            baseOff = off;
        }

        void add(int itup) {
            int n = BtPosting.isPosting(page, itup) ? BtPosting.nPosting(page, itup) : 1;
            if (maxAlign(baseTupSize + (nhtids + n) * TID_SIZE) > BT_MAX_ITEM_SIZE) {
                throw new RedoException("deduplication failed to add heap tid to pending posting list");
            }
            if (n == 1 && !BtPosting.isPosting(page, itup)) {
                System.arraycopy(page, itup, htids, nhtids * TID_SIZE, TID_SIZE);
            } else {
                copyTids(itup, nhtids);
            }
            nhtids += n;
            nitems++;
        }

        /** {@code _bt_dedup_finish_pending}; returns 1 when it wrote a posting list (an interval), else 0. */
        int finish() {
            int tupoff = IndexPage.maxOffset(newpage) + 1;
            int result;
            if (nitems == 1) {
                IndexPage.pageAddItem(newpage, page, base, IndexRedoSupport.indexTupleSize(page, base), tupoff,
                        false);
                result = 0;
            } else {
                byte[] fin = BtPosting.formPosting(page, base, baseTupSize, htids, nhtids);
                IndexPage.pageAddItem(newpage, fin, 0, fin.length, tupoff, false);
                result = 1;
            }
            nhtids = 0;
            nitems = 0;
            return result;
        }

        private void copyTids(int itup, int at) {
            int n = BtPosting.nPosting(page, itup);
            int from = BtPosting.postingTid(page, itup, 0);
            if (from + n * TID_SIZE > PageOps.BLCKSZ || (at + n) * TID_SIZE > htids.length) {
                throw new RedoException("posting list of " + n + " TIDs does not fit");
            }
            System.arraycopy(page, from, htids, at * TID_SIZE, n * TID_SIZE);
        }
    }
}

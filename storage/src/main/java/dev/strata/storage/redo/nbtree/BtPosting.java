package dev.strata.storage.redo.nbtree;

import dev.strata.storage.redo.RedoException;

import java.util.Arrays;

import static dev.strata.storage.redo.nbtree.IndexPage.maxAlign;
import static dev.strata.storage.redo.nbtree.IndexRedoSupport.INDEX_ALT_TID_MASK;
import static dev.strata.storage.redo.nbtree.IndexRedoSupport.INDEX_SIZE_MASK;

/**
 * Btree posting-list tuples ({@code nbtree.h}, {@code nbtdedup.c}): a non-pivot tuple with INDEX_ALT_TID_MASK set in
 * t_info and BT_IS_POSTING (0x2000) in t_tid's offset field. Then t_tid's offset field & 0x0FFF is the number of heap
 * TIDs and t_tid's block number is the byte offset of the TID array (6 bytes per TID, ascending) from the tuple's
 * start; the tuple's size is MAXALIGN(that offset + 6 × n).
 */
public final class BtPosting {
    public static final int BT_OFFSET_MASK = 0x0FFF;
    public static final int BT_IS_POSTING = 0x2000;
    public static final int TID_SIZE = 6;

    private BtPosting() {
    }

    public static boolean isPosting(byte[] b, int tup) {
        return (IndexRedoSupport.tInfo(b, tup) & INDEX_ALT_TID_MASK) != 0
                && (IndexRedoSupport.tidOffset(b, tup) & BT_IS_POSTING) != 0;
    }

    public static int nPosting(byte[] b, int tup) {
        return IndexRedoSupport.tidOffset(b, tup) & BT_OFFSET_MASK;
    }

    public static int postingOffset(byte[] b, int tup) {
        return IndexRedoSupport.tidBlock(b, tup);
    }

    /** Byte position of the tuple's {@code n}th heap TID. */
    public static int postingTid(byte[] b, int tup, int n) {
        return tup + postingOffset(b, tup) + n * TID_SIZE;
    }

    /** {@code BTreeTupleSetPosting}. */
    static void setPosting(byte[] b, int tup, int nhtids, int postingOffset) {
        IndexRedoSupport.setTInfo(b, tup, IndexRedoSupport.tInfo(b, tup) | INDEX_ALT_TID_MASK);
        IndexRedoSupport.setTidOffset(b, tup, nhtids | BT_IS_POSTING);
        IndexRedoSupport.setTidBlock(b, tup, postingOffset);
    }

    /**
     * {@code _bt_swap_posting}: the posting list split that an insert of {@code newitem} (a plain tuple whose heap
     * TID falls inside {@code oposting}'s range) performs. Returns the replacement posting tuple (oposting with the
     * new TID slotted in at {@code postingoff} and its old maximum TID dropped) and rewrites {@code newitem}'s TID to
     * that maximum.
     */
    public static byte[] swapPosting(byte[] newitem, byte[] page, int oposting, int postingoff) {
        if (!isPosting(page, oposting)) {
            throw new RedoException("the item a posting list split applies to is not a posting list tuple");
        }
        int nhtids = nPosting(page, oposting);
        if (!(postingoff > 0 && postingoff < nhtids)) {
            throw new RedoException("posting list tuple with " + nhtids + " items cannot be split at offset "
                    + postingoff);
        }
        int size = IndexRedoSupport.indexTupleSize(page, oposting);
        int tidArray = postingOffset(page, oposting);
        if (tidArray + nhtids * TID_SIZE > size) {
            throw new RedoException("posting list of " + nhtids + " TIDs at " + tidArray
                    + " does not fit its " + size + "-byte tuple");
        }
        byte[] nposting = Arrays.copyOfRange(page, oposting, oposting + size);
        int replace = tidArray + postingoff * TID_SIZE;
        System.arraycopy(nposting, replace, nposting, replace + TID_SIZE, (nhtids - postingoff - 1) * TID_SIZE);
        System.arraycopy(newitem, 0, nposting, replace, TID_SIZE);
        System.arraycopy(page, postingTid(page, oposting, nhtids - 1), newitem, 0, TID_SIZE);
        return nposting;
    }

    /**
     * {@code _bt_update_posting}: {@code orig} without the TIDs whose 0-based positions are listed (ascending) in
     * {@code deleted}. A single survivor makes a plain tuple again (ALT_TID cleared, the TID in t_tid).
     */
    public static byte[] updatePosting(byte[] page, int orig, int[] deleted) {
        if (!isPosting(page, orig)) {
            throw new RedoException("the item a vacuum update applies to is not a posting list tuple");
        }
        int norig = nPosting(page, orig);
        int nhtids = norig - deleted.length;
        if (nhtids <= 0 || nhtids >= norig) {
            throw new RedoException("removing " + deleted.length + " of " + norig
                    + " TIDs does not leave a shorter, non-empty posting list");
        }
        int keysize = postingOffset(page, orig);
        int newsize = nhtids > 1 ? maxAlign(keysize + nhtids * TID_SIZE) : keysize;
        byte[] itup = new byte[newsize];
        System.arraycopy(page, orig, itup, 0, keysize);
        IndexRedoSupport.setTInfo(itup, 0, (IndexRedoSupport.tInfo(itup, 0) & ~INDEX_SIZE_MASK) | newsize);
        int out;
        if (nhtids > 1) {
            setPosting(itup, 0, nhtids, keysize);
            out = keysize;
        } else {
            IndexRedoSupport.setTInfo(itup, 0, IndexRedoSupport.tInfo(itup, 0) & ~INDEX_ALT_TID_MASK);
            out = 0;
        }
        int d = 0;
        for (int i = 0; i < norig; i++) {
            if (d < deleted.length && deleted[d] == i) {
                d++;
                continue;
            }
            System.arraycopy(page, postingTid(page, orig, i), itup, out, TID_SIZE);
            out += TID_SIZE;
        }
        if (d != deleted.length) {
            throw new RedoException("deleted TID positions " + Arrays.toString(deleted)
                    + " are not ascending positions of a " + norig + "-TID posting list");
        }
        return itup;
    }

    /**
     * {@code _bt_form_posting}: a tuple with {@code base}'s key ({@code keysize} bytes) and the given heap TIDs
     * ({@code nhtids} × 6 bytes at {@code htids}); a posting list tuple when there is more than one.
     */
    public static byte[] formPosting(byte[] src, int base, int keysize, byte[] htids, int nhtids) {
        int newsize = nhtids > 1 ? maxAlign(keysize + nhtids * TID_SIZE) : keysize;
        byte[] itup = new byte[newsize];
        System.arraycopy(src, base, itup, 0, keysize);
        IndexRedoSupport.setTInfo(itup, 0, (IndexRedoSupport.tInfo(itup, 0) & ~INDEX_SIZE_MASK) | newsize);
        if (nhtids > 1) {
            setPosting(itup, 0, nhtids, keysize);
            System.arraycopy(htids, 0, itup, keysize, nhtids * TID_SIZE);
        } else {
            IndexRedoSupport.setTInfo(itup, 0, IndexRedoSupport.tInfo(itup, 0) & ~INDEX_ALT_TID_MASK);
            System.arraycopy(htids, 0, itup, 0, TID_SIZE);
        }
        return itup;
    }
}

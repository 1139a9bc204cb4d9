package dev.strata.storage.redo.gin;

import dev.strata.storage.redo.page.Bytes;
import dev.strata.storage.redo.page.PageOps;
import dev.strata.storage.redo.RedoException;
import dev.strata.storage.redo.nbtree.IndexPage;
import dev.strata.storage.redo.nbtree.IndexRedoSupport;

import java.util.Arrays;

/**
 * {@code ginRedoRecompress}: the changes INSERT (data leaf) and VACUUM_DATA_LEAF_PAGE log for a posting tree leaf.
 *
 * <p>ginxlogRecompressDataLeaf: nactions u16, then per action: segno u8, type u8 and, by type, DELETE (1) nothing;
 * INSERT (2) and REPLACE (3) a whole GinPostingList segment (its SizeOfGinPostingList bytes); ADDITEMS (4) nitems
 * u16 and nitems ItemPointerData (6 bytes each) to merge into the existing segment, which is then re-encoded.
 * Actions come in segment order.
 *
 * <p>As in PostgreSQL, segments before the first changed one stay where they are; from the first change on, the
 * rest of the old data is read from a copy and the page is rewritten behind it. Bytes past the new end of the data
 * keep whatever they held (pd_lower moves, gin_mask hides them).
 */
final class GinDataLeafRedo {
    private static final int DELETE = 1;
    private static final int INSERT = 2;
    private static final int REPLACE = 3;
    private static final int ADDITEMS = 4;

    private final byte[] page;
    /** Where old segments are read: the page itself until the first change, then a copy of its tail. */
    private byte[] src;
    private int segPos;
    private int segEnd;
    private int write = GinPage.DATA_START;
    private boolean copied;
    private int segno;

    private GinDataLeafRedo(byte[] page) {
        this.page = page;
        this.src = page;
        this.segPos = GinPage.DATA_START;
        this.segEnd = IndexPage.lower(page);
        if (segEnd < GinPage.DATA_START || segEnd > GinPage.OPAQUE) {
            throw new RedoException("posting tree leaf pd_lower " + segEnd + " is not a data size");
        }
    }

    /** Applies the ginxlogRecompressDataLeaf in {@code wal[start, end)} to {@code page}. */
    static void recompress(byte[] page, byte[] wal, int start, int end) {
        if ((GinPage.flags(page) & GinPage.GIN_COMPRESSED) == 0) {
            convertFromPre94(page);
        }
        IndexRedoSupport.checkRange(start, 2, start, end, "ginxlogRecompressDataLeaf");
        int nactions = Bytes.u16(wal, start);
        GinDataLeafRedo leaf = new GinDataLeafRedo(page);
        int walbuf = start + 2;
        for (int a = 0; a < nactions; a++) {
            walbuf = leaf.action(wal, walbuf, start, end);
        }
        leaf.finish();
    }

    /** Applies one action read at {@code walbuf}; returns where the next one starts. */
    private int action(byte[] wal, int walbuf, int start, int end) {
        IndexRedoSupport.checkRange(walbuf, 2, start, end, "segment action");
        int aSegno = wal[walbuf] & 0xFF;
        int action = wal[walbuf + 1] & 0xFF;
        walbuf += 2;
        byte[] newseg = wal;
        int newsegOff = walbuf;
        int newsegSize = 0;
        long[] items = null;
        if (action == INSERT || action == REPLACE) {
            IndexRedoSupport.checkRange(walbuf, GinPostingList.HEADER, start, end, "segment");
            newsegSize = GinPostingList.size(wal, walbuf);
            IndexRedoSupport.checkRange(walbuf, newsegSize, start, end, "segment");
            walbuf += IndexPage.shortAlign(newsegSize);
        } else if (action == ADDITEMS) {
            IndexRedoSupport.checkRange(walbuf, 2, start, end, "ADDITEMS count");
            int nitems = Bytes.u16(wal, walbuf);
            IndexRedoSupport.checkRange(walbuf + 2, 6 * nitems, start, end, "ADDITEMS items");
            items = new long[nitems];
            for (int i = 0; i < nitems; i++) {
                items[i] = GinPostingList.tid(wal, walbuf + 2 + 6 * i);
            }
            walbuf += 2 + 6 * nitems;
        }
        skipTo(aSegno);
        if (action == ADDITEMS) {
            newseg = mergedSegment(items, aSegno);
            newsegOff = 0;
            newsegSize = newseg.length;
            action = REPLACE;
        }
        int segsize = currentSegmentSize(action, aSegno);
        startCopy();
        switch (action) {
            case DELETE -> advance(segsize);
            case INSERT -> put(newseg, newsegOff, newsegSize);
            case REPLACE -> {
                put(newseg, newsegOff, newsegSize);
                advance(segsize);
            }
            default -> throw new RedoException("unexpected GIN leaf action: " + action);
        }
        return walbuf;
    }

    /** Moves past the unchanged segments before {@code aSegno} (copying them once the tail has been copied). */
    private void skipTo(int aSegno) {
        if (aSegno < segno) {
            throw new RedoException("segment actions out of order: segment " + aSegno + " after " + segno);
        }
        while (segno < aSegno) {
            if (segPos >= segEnd) {
                throw new RedoException("action on segment " + aSegno + " but the page has only " + segno);
            }
            int segsize = GinPostingList.size(src, segPos);
            if (copied) {
                copyInto(write, src, segPos, segsize);
            }
            write += segsize;
            segPos += segsize;
            segno++;
        }
    }

    /** ADDITEMS: the current segment's items merged with the logged ones, re-encoded as one segment. */
    private byte[] mergedSegment(long[] items, int aSegno) {
        if (segPos >= segEnd) {
            throw new RedoException("ADDITEMS on segment " + aSegno + " past the last segment");
        }
        long[] old = GinPostingList.decode(src, segPos, segEnd);
        long[] merged = GinPostingList.merge(items, items.length, old, old.length);
        GinPostingList.Segment seg = GinPostingList.compress(merged, merged.length, PageOps.BLCKSZ);
        if (seg.packed() != merged.length) {
            throw new RedoException("merged segment of " + merged.length + " items does not fit a page");
        }
        return seg.bytes();
    }

    /** The size of the segment the action applies to; 0 past the last one, where only INSERT may go. */
    private int currentSegmentSize(int action, int aSegno) {
        if (segPos != segEnd) {
            return GinPostingList.size(src, segPos);
        }
        if (action != INSERT) {
            throw new RedoException("action " + action + " on segment " + aSegno + " past the last one");
        }
        return 0;
    }

    /** From the first change on, old segments are read from a copy of the page's remaining data. */
    private void startCopy() {
        if (!copied && segPos != segEnd) {
            src = Arrays.copyOfRange(page, segPos, segEnd);
            segEnd -= segPos;
            segPos = 0;
            copied = true;
        }
    }

    private void advance(int segsize) {
        segPos += segsize;
        segno++;
    }

    private void put(byte[] seg, int off, int len) {
        copyInto(write, seg, off, len);
        write += len;
    }

    /** Copies the unchanged rest and sets the data size. */
    private void finish() {
        if (segPos != segEnd && copied) {
            put(src, segPos, segEnd - segPos);
        }
        GinPage.setDataSize(page, write - GinPage.DATA_START);
    }

    private void copyInto(int at, byte[] from, int off, int len) {
        if (at + len > GinPage.OPAQUE) {
            throw new RedoException("posting list data would run into the special space at " + (at + len));
        }
        System.arraycopy(from, off, page, at, len);
    }

    /** A pre-9.4 leaf (uncompressed ItemPointers, maxoff of them) becomes one compressed segment. */
    private static void convertFromPre94(byte[] page) {
        int n = GinPage.maxoff(page);
        int size = 0;
        if (n > 0) {
            long[] items = new long[n];
            for (int i = 0; i < n; i++) {
                items[i] = GinPostingList.tid(page, GinPage.DATA_START + 6 * i);
            }
            GinPostingList.Segment seg = GinPostingList.compress(items, n, PageOps.BLCKSZ);
            if (seg.packed() != n) {
                throw new RedoException("uncompressed leaf of " + n + " items does not compress into a page");
            }
            System.arraycopy(seg.bytes(), 0, page, GinPage.DATA_START, seg.bytes().length);
            size = seg.bytes().length;
        }
        GinPage.setDataSize(page, size);
        GinPage.setFlags(page, GinPage.flags(page) | GinPage.GIN_COMPRESSED);
        GinPage.setMaxoff(page, 0);
    }
}

package dev.strata.storage.redo.gin;

import dev.strata.storage.redo.page.Bytes;
import dev.strata.storage.redo.RedoException;
import dev.strata.storage.redo.nbtree.IndexPage;
import dev.strata.storage.redo.nbtree.IndexRedoSupport;

import java.util.Arrays;

/**
 * GIN's compressed posting list segments ({@code ginpostinglist.c}), as stored on posting tree leaf pages and logged
 * in their WAL records.
 *
 * <p>A segment, GinPostingList: {@code first} ItemPointerData (6 bytes: block hi u16, block lo u16, offset u16),
 * {@code nbytes} u16, then nbytes of varbyte-encoded deltas, padded with one zero byte to an even length; its size is
 * 8 + SHORTALIGN(nbytes). Each later item is encoded as the difference of its 64-bit form (block &lt;&lt; 11 | offset)
 * from the previous item's: 7 bits per byte, least significant group first, 0x80 set on every byte but the last;
 * the 7th byte carries the remaining bits whole.
 *
 * <p>Items are handled here as longs ordered like {@code ginCompareItemPointers}: block &lt;&lt; 16 | offset.
 */
public final class GinPostingList {
    public static final int HEADER = 8;
    private static final int MAX_BYTES_PER_INTEGER = 7;
    private static final int MAX_HEAP_TUPLES_PER_PAGE_BITS = 11;

    private GinPostingList() {
    }

    /** {@code SizeOfGinPostingList} of the segment at {@code seg}. */
    public static int size(byte[] b, int seg) {
        return HEADER + IndexPage.shortAlign(Bytes.u16(b, seg + 6));
    }

    /** Reads an ItemPointerData as a comparable long (block << 16 | offset). */
    public static long tid(byte[] b, int ptr) {
        return (IndexRedoSupport.tidBlock(b, ptr) & 0xFFFFFFFFL) << 16 | IndexRedoSupport.tidOffset(b, ptr);
    }

    /** Writes a comparable long as an ItemPointerData. */
    public static void putTid(byte[] b, int ptr, long tid) {
        IndexRedoSupport.setTid(b, ptr, (int) (tid >>> 16), (int) (tid & 0xFFFF));
    }

    private static long toUint64(long tid) {
        return (tid >>> 16) << MAX_HEAP_TUPLES_PER_PAGE_BITS | (tid & 0xFFFF);
    }

    private static long fromUint64(long val) {
        long off = val & ((1 << MAX_HEAP_TUPLES_PER_PAGE_BITS) - 1);
        long blk = (val >>> MAX_HEAP_TUPLES_PER_PAGE_BITS) & 0xFFFFFFFFL;
        return blk << 16 | off;
    }

    /** {@code ginPostingListDecode}: the items of the one segment at {@code seg}, which must end by {@code end}. */
    public static long[] decode(byte[] b, int seg, int end) {
        if (seg + HEADER > end || seg + size(b, seg) > end) {
            throw new RedoException("posting list segment at " + seg + " runs past its end at " + end);
        }
        int nbytes = Bytes.u16(b, seg + 6);
        long[] out = new long[1 + nbytes];
        out[0] = tid(b, seg);
        int n = 1;
        long val = toUint64(out[0]);
        int p = seg + HEADER;
        int stop = p + nbytes;
        while (p < stop) {
            long delta = 0;
            int shift = 0;
            int c;
            do {
                if (p >= stop) {
                    throw new RedoException("varbyte-encoded item runs past the end of its segment");
                }
                c = b[p++] & 0xFF;
                delta |= shift == 42 ? (long) c << 42 : (long) (c & 0x7F) << shift;
                shift += 7;
            } while ((c & 0x80) != 0 && shift <= 42);
            val += delta;
            out[n++] = fromUint64(val);
        }
        return Arrays.copyOf(out, n);
    }

    /** A compressed segment and how many of the given items it holds. */
    public record Segment(byte[] bytes, int packed) {
    }

    /**
     * {@code ginCompressPostingList(items, n, maxsize)}: one segment holding as many of the items as fit in
     * {@code maxsize} bytes.
     */
    public static Segment compress(long[] items, int n, int maxsize) {
        maxsize &= ~1;
        byte[] result = new byte[maxsize];
        int maxbytes = maxsize - HEADER;
        putTid(result, 0, items[0]);
        long prev = toUint64(items[0]);
        int ptr = HEADER;
        int end = HEADER + maxbytes;
        byte[] buf = new byte[MAX_BYTES_PER_INTEGER];
        int packed;
        for (packed = 1; packed < n; packed++) {
            long val = toUint64(items[packed]);
            if (val <= prev) {
                throw new RedoException("posting list items are not in ascending order at item " + packed);
            }
            int len = encode(val - prev, buf);
            if (len > end - ptr) {
                break;
            }
            System.arraycopy(buf, 0, result, ptr, len);
            ptr += len;
            prev = val;
        }
        int nbytes = ptr - HEADER;
        Bytes.putU16(result, 6, nbytes);
        return new Segment(Arrays.copyOf(result, HEADER + IndexPage.shortAlign(nbytes)), packed);
    }

    private static int encode(long val, byte[] buf) {
        int p = 0;
        while (Long.compareUnsigned(val, 0x7F) > 0) {
            buf[p++] = (byte) (0x80 | (val & 0x7F));
            val >>>= 7;
        }
        buf[p++] = (byte) val;
        return p;
    }

    /** {@code ginMergeItemPointers}: the union of two sorted arrays, one copy of any item in both. */
    public static long[] merge(long[] a, int na, long[] b, int nb) {
        long[] dst = new long[na + nb];
        if (na == 0 || nb == 0 || a[na - 1] < b[0]) {
            System.arraycopy(a, 0, dst, 0, na);
            System.arraycopy(b, 0, dst, na, nb);
            return dst;
        }
        if (b[nb - 1] < a[0]) {
            System.arraycopy(b, 0, dst, 0, nb);
            System.arraycopy(a, 0, dst, nb, na);
            return dst;
        }
        int i = 0;
        int j = 0;
        int d = 0;
        while (i < na && j < nb) {
            if (a[i] > b[j]) {
                dst[d++] = b[j++];
            } else if (a[i] == b[j]) {
                dst[d++] = b[j++];
                i++;
            } else {
                dst[d++] = a[i++];
            }
        }
        while (i < na) {
            dst[d++] = a[i++];
        }
        while (j < nb) {
            dst[d++] = b[j++];
        }
        return Arrays.copyOf(dst, d);
    }
}

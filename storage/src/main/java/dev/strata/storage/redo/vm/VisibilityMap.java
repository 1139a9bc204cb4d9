package dev.strata.storage.redo.vm;

import dev.strata.storage.redo.page.PageOps;

/**
 * Visibility-map pages ({@code visibilitymap.c}): a standard page header with pd_lower = 24 and pd_upper =
 * pd_special = 8192, then a bitmap of 8168 bytes, two bits per heap block (ALL_VISIBLE 0x1, ALL_FROZEN 0x2), four
 * heap blocks per byte, 32672 heap blocks per VM page. Heap block B lives on VM block B / 32672, at byte
 * 24 + (B % 32672) / 4, bit shift (B % 4) * 2.
 */
public final class VisibilityMap {
    public static final int VISIBILITYMAP_ALL_VISIBLE = 0x01;
    public static final int VISIBILITYMAP_ALL_FROZEN = 0x02;
    public static final int VISIBILITYMAP_VALID_BITS = 0x03;
    public static final int MAPSIZE = PageOps.BLCKSZ - PageOps.SIZE_OF_PAGE_HEADER;
    public static final int HEAPBLOCKS_PER_BYTE = 4;
    public static final int HEAPBLOCKS_PER_PAGE = MAPSIZE * HEAPBLOCKS_PER_BYTE;

    private VisibilityMap() {
    }

    /** {@code HEAPBLK_TO_MAPBLOCK}, for an unsigned heap block number. */
    public static int mapBlock(int heapBlk) {
        return Integer.divideUnsigned(heapBlk, HEAPBLOCKS_PER_PAGE);
    }

    /** The byte offset within the page of heap block {@code heapBlk}'s bits. */
    public static int mapByteOffset(int heapBlk) {
        return PageOps.SIZE_OF_PAGE_HEADER + Integer.remainderUnsigned(heapBlk, HEAPBLOCKS_PER_PAGE) / HEAPBLOCKS_PER_BYTE;
    }

    public static int mapShift(int heapBlk) {
        return Integer.remainderUnsigned(heapBlk, HEAPBLOCKS_PER_BYTE) * 2;
    }

    /** The VM page as {@code vm_readbuf} sees it: an all-zero page is PageInit'ed first. */
    public static void initIfNew(byte[] vmPage) {
        if (PageOps.pageIsNew(vmPage)) {
            PageOps.pageInit(vmPage, 0);
        }
    }

    /** The two bits of {@code heapBlk}. */
    public static int getStatus(byte[] vmPage, int heapBlk) {
        return (vmPage[mapByteOffset(heapBlk)] >> mapShift(heapBlk)) & VISIBILITYMAP_VALID_BITS;
    }

    /** {@code visibilitymap_clear}: clears {@code flags} for {@code heapBlk}; the page LSN is not changed. */
    public static void clear(byte[] vmPage, int heapBlk, int flags) {
        initIfNew(vmPage);
        int b = mapByteOffset(heapBlk);
        vmPage[b] &= (byte) ~((flags & VISIBILITYMAP_VALID_BITS) << mapShift(heapBlk));
    }

    /**
     * {@code visibilitymap_set} during replay: when the bits differ from {@code flags}, OR them in and set the
     * page LSN.
     */
    public static void set(byte[] vmPage, int heapBlk, int flags, long lsn) {
        if (flags != getStatus(vmPage, heapBlk)) {
            vmPage[mapByteOffset(heapBlk)] |= (byte) (flags << mapShift(heapBlk));
            PageOps.pageSetLSN(vmPage, lsn);
        }
    }

    /**
     * {@code visibilitymap_prepare_truncate} seen from VM page {@code vmBlkno}: every bit for heap blocks at or
     * after {@code nheapblocks} is cleared; the LSN is not changed. On the page holding heap block
     * {@code nheapblocks} that is the tail of the map (and the low bits of its byte are kept); pages before it are
     * untouched; pages after it lose the whole map (the truncation removes them from the fork, which is the
     * caller's business).
     */
    public static void truncate(byte[] vmPage, int vmBlkno, int nheapblocks) {
        int truncBlock = mapBlock(nheapblocks);
        int cmp = Integer.compareUnsigned(vmBlkno, truncBlock);
        if (cmp < 0) {
            return;
        }
        initIfNew(vmPage);
        int base = PageOps.SIZE_OF_PAGE_HEADER;
        if (cmp > 0) {
            java.util.Arrays.fill(vmPage, base, base + MAPSIZE, (byte) 0);
            return;
        }
        int truncByte = Integer.remainderUnsigned(nheapblocks, HEAPBLOCKS_PER_PAGE) / HEAPBLOCKS_PER_BYTE;
        java.util.Arrays.fill(vmPage, base + truncByte + 1, base + MAPSIZE, (byte) 0);
        vmPage[base + truncByte] &= (byte) ((1 << mapShift(nheapblocks)) - 1);
    }
}

package dev.strata.wire.backup;

/**
 * PostgreSQL's data page checksum (used when pg_control's data_checksum_version is 1).
 *
 * <p>The 8192-byte page is read as 2048 little-endian 32-bit words laid out as 64 rows of 32 columns. Each column
 * keeps its own FNV-1a-style hash, seeded with a fixed offset, and mixes in one word per row with
 * {@code h = (h ^ w) * 16777619 ^ ((h ^ w) >>> 17)}, then two rounds of zero words. The 32 hashes are XORed
 * together, the block number (within the fork) is XORed in, and the result is reduced to
 * {@code (x mod 65535) + 1}. The page's own pd_checksum field (bytes 8-9) counts as zero while hashing. Pages with
 * pd_upper = 0 (new, all-zero pages) carry no checksum.
 */
final class PageChecksum {
    private static final int N_SUMS = 32;
    private static final int FNV_PRIME = 16777619;
    private static final int[] BASE_OFFSETS = {
        0x5B1F36E9, 0xB8525960, 0x02AB50AA, 0x1DE66D2A, 0x79FF467A, 0x9BB9F8A3, 0x217E7CD2, 0x83E13D2C,
        0xF8D4474F, 0xE39EB970, 0x42C6AE16, 0x993216FA, 0x7B093B5D, 0x98DAFF3C, 0xF718902A, 0x0B1C9CDB,
        0xE58F764B, 0x187636BC, 0x5D7B3BB1, 0xE73DE7DE, 0x92BEC979, 0xCCA6C0B2, 0x304A0979, 0x85AA43D4,
        0x783125BB, 0x6CA8EAA2, 0xE407EAC6, 0x4B5CFC3E, 0x9FBF8C76, 0x15CA20BE, 0xF2CA9FD3, 0x959BD756
    };
    private static final int CHECKSUM_OFFSET = 8;
    private static final int PD_UPPER_OFFSET = 14;

    private PageChecksum() {
    }

    /** The checksum of {@code page} (8192 bytes at {@code off}) as block {@code blkno} of its fork. */
    static short compute(byte[] page, int off, int blkno) {
        int[] sums = BASE_OFFSETS.clone();
        int rows = ControlFile.BLCKSZ / (4 * N_SUMS);
        for (int i = 0; i < rows; i++) {
            int rowOff = off + i * 4 * N_SUMS;
            for (int j = 0; j < N_SUMS; j++) {
                int p = rowOff + 4 * j;
                int word;
                if (p - off == CHECKSUM_OFFSET) {
                    // pd_checksum (bytes 8-9) counts as zero; pd_flags (10-11) shares the word
                    word = (page[p + 2] & 0xFF) << 16 | (page[p + 3] & 0xFF) << 24;
                } else {
                    word = (page[p] & 0xFF) | (page[p + 1] & 0xFF) << 8 | (page[p + 2] & 0xFF) << 16
                            | (page[p + 3] & 0xFF) << 24;
                }
                int tmp = sums[j] ^ word;
                sums[j] = tmp * FNV_PRIME ^ (tmp >>> 17);
            }
        }
        for (int round = 0; round < 2; round++) {
            for (int j = 0; j < N_SUMS; j++) {
                int tmp = sums[j];
                sums[j] = tmp * FNV_PRIME ^ (tmp >>> 17);
            }
        }
        int result = 0;
        for (int s : sums) {
            result ^= s;
        }
        result ^= blkno;
        return (short) (Integer.remainderUnsigned(result, 65535) + 1);
    }

    /** Whether the page is "new" (pd_upper = 0): such pages are all zeros and have no checksum. */
    static boolean isNew(byte[] page, int off) {
        return page[off + PD_UPPER_OFFSET] == 0 && page[off + PD_UPPER_OFFSET + 1] == 0;
    }

    /** Stores the checksum of a non-new page into its pd_checksum field. */
    static void set(byte[] page, int off, int blkno) {
        if (isNew(page, off)) {
            return;
        }
        short c = compute(page, off, blkno);
        page[off + CHECKSUM_OFFSET] = (byte) c;
        page[off + CHECKSUM_OFFSET + 1] = (byte) (c >>> 8);
    }
}

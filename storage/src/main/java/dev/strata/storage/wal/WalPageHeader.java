package dev.strata.storage.wal;

/**
 * Field access and constants for WAL page headers ({@code XLogPageHeaderData} / {@code XLogLongPageHeaderData} in
 * PostgreSQL 15's {@code xlog_internal.h}). Every 8192-byte WAL page starts with one; little-endian:
 * <pre>
 * short header, 24 bytes (20 used, padded to MAXALIGN):
 *   0  u16 xlp_magic     0xD110 for PostgreSQL 15
 *   2  u16 xlp_info      0x0001 FIRST_IS_CONTRECORD, 0x0002 LONG_HEADER, 0x0004 BKP_REMOVABLE,
 *                        0x0008 FIRST_IS_OVERWRITE_CONTRECORD; other bits are invalid
 *   4  u32 xlp_tli       timeline of the first record on the page
 *   8  u64 xlp_pageaddr  LSN of the page's first byte
 *  16  u32 xlp_rem_len   bytes of a record continued from the previous page still to come
 * long header, 40 bytes, on the first page of every segment: the short header, then
 *  24  u64 xlp_sysid        database system identifier
 *  32  u32 xlp_seg_size     WAL segment size
 *  36  u32 xlp_xlog_blcksz  8192
 * </pre>
 */
public final class WalPageHeader {
    public static final int XLOG_BLCKSZ = 8192;
    public static final int XLOG_PAGE_MAGIC = 0xD110;
    public static final int SIZE_SHORT = 24;
    public static final int SIZE_LONG = 40;
    public static final int XLP_FIRST_IS_CONTRECORD = 0x0001;
    public static final int XLP_LONG_HEADER = 0x0002;
    public static final int XLP_BKP_REMOVABLE = 0x0004;
    public static final int XLP_FIRST_IS_OVERWRITE_CONTRECORD = 0x0008;
    public static final int XLP_ALL_FLAGS = 0x000F;

    private WalPageHeader() {
    }

    public static int magic(byte[] b, int off) {
        return Bytes.le16(b, off);
    }

    public static int info(byte[] b, int off) {
        return Bytes.le16(b, off + 2);
    }

    public static int tli(byte[] b, int off) {
        return Bytes.le32(b, off + 4);
    }

    public static long pageAddr(byte[] b, int off) {
        return Bytes.le64(b, off + 8);
    }

    /** Unsigned remaining length of a continued record. */
    public static long remLen(byte[] b, int off) {
        return Bytes.le32(b, off + 16) & 0xFFFF_FFFFL;
    }

    public static long sysid(byte[] b, int off) {
        return Bytes.le64(b, off + 24);
    }

    public static int segSize(byte[] b, int off) {
        return Bytes.le32(b, off + 32);
    }

    public static int blcksz(byte[] b, int off) {
        return Bytes.le32(b, off + 36);
    }

    /** Header size given the info bits: 40 with XLP_LONG_HEADER, else 24. */
    public static int size(int info) {
        return (info & XLP_LONG_HEADER) != 0 ? SIZE_LONG : SIZE_SHORT;
    }

    /** Whether the {@code n} bytes at {@code off} are all zero (a page never written). */
    static boolean allZero(byte[] b, int off, int n) {
        for (int i = off; i < off + n; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code size} is a valid WAL segment size: a power of two from 1 MiB to 1 GiB. */
    public static boolean validSegmentSize(long size) {
        return size >= (1 << 20) && size <= (1 << 30) && Long.bitCount(size) == 1;
    }
}

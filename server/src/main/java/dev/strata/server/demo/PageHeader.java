package dev.strata.server.demo;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The header of a PostgreSQL page ({@code PageHeaderData}, bufpage.h), as stored on disk in the server's byte order
 * (little-endian on the platforms PostgreSQL 15 runs on here):
 *
 * <pre>
 * offset size field
 *  0     4    pd_lsn.xlogid          high half of the LSN of the last change
 *  4     4    pd_lsn.xrecoff         low half
 *  8     2    pd_checksum            0 unless data checksums are on
 * 10     2    pd_flags               PD_HAS_FREE_LINES 0x1, PD_PAGE_FULL 0x2, PD_ALL_VISIBLE 0x4
 * 12     2    pd_lower               end of the line pointer array
 * 14     2    pd_upper               start of tuple data
 * 16     2    pd_special             start of the special space (8192 for heap pages)
 * 18     2    pd_pagesize_version    page size | layout version (8192 | 4)
 * 20     4    pd_prune_xid           oldest prunable XID, or 0
 * 24     4*n  line pointers
 * </pre>
 */
public record PageHeader(long lsn, int checksum, int flags, int lower, int upper, int special, int pageSize,
                         int layoutVersion, long pruneXid) {
    public static final int SIZE = 24;

    public static PageHeader parse(byte[] page) {
        if (page.length < SIZE) {
            throw new IllegalArgumentException("a page header needs 24 bytes, got " + page.length);
        }
        ByteBuffer b = ByteBuffer.wrap(page).order(ByteOrder.LITTLE_ENDIAN);
        long lsn = (Integer.toUnsignedLong(b.getInt(0)) << 32) | Integer.toUnsignedLong(b.getInt(4));
        int sizeVersion = Short.toUnsignedInt(b.getShort(18));
        return new PageHeader(lsn, Short.toUnsignedInt(b.getShort(8)), Short.toUnsignedInt(b.getShort(10)),
                Short.toUnsignedInt(b.getShort(12)), Short.toUnsignedInt(b.getShort(14)),
                Short.toUnsignedInt(b.getShort(16)), sizeVersion & 0xFF00, sizeVersion & 0x00FF,
                Integer.toUnsignedLong(b.getInt(20)));
    }

    /** Line pointers in use or not: the size of the array between the header and pd_lower. */
    public int linePointers() {
        return lower >= SIZE ? (lower - SIZE) / 4 : 0;
    }

    /** Free bytes between the line pointers and the tuples. */
    public int freeSpace() {
        return Math.max(0, upper - lower);
    }

    /** The flag names that are set. */
    public String flagNames() {
        StringBuilder s = new StringBuilder();
        if ((flags & 1) != 0) {
            s.append("HAS_FREE_LINES ");
        }
        if ((flags & 2) != 0) {
            s.append("PAGE_FULL ");
        }
        if ((flags & 4) != 0) {
            s.append("ALL_VISIBLE ");
        }
        return s.isEmpty() ? "none" : s.toString().strip();
    }
}

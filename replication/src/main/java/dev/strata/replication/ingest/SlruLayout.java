package dev.strata.replication.ingest;

/**
 * Where PostgreSQL 15's SLRUs keep an entry: 8192-byte pages, 32 pages per segment file.
 * <ul>
 *   <li>CLOG: 2 bits per xid, 32768 xids per page;</li>
 *   <li>MultiXact offsets: one u32 per multixact id, 2048 per page;</li>
 *   <li>MultiXact members: groups of 4 flag bytes + 4 xids (20 bytes), 409 groups = 1636 members per page.</li>
 * </ul>
 * All ids and offsets are unsigned 32-bit values.
 */
final class SlruLayout {
    static final int PAGES_PER_SEGMENT = 32;
    static final long CLOG_XACTS_PER_PAGE = 32768;
    static final long MULTIXACT_OFFSETS_PER_PAGE = 2048;
    static final long MULTIXACT_MEMBERS_PER_PAGE = 1636;

    private SlruLayout() {
    }

    static long clogPage(int xid) {
        return Integer.toUnsignedLong(xid) / CLOG_XACTS_PER_PAGE;
    }

    static long offsetsPage(int multi) {
        return Integer.toUnsignedLong(multi) / MULTIXACT_OFFSETS_PER_PAGE;
    }

    static long membersPage(int offset) {
        return Integer.toUnsignedLong(offset) / MULTIXACT_MEMBERS_PER_PAGE;
    }

    static int segment(long pageno) {
        return (int) (pageno / PAGES_PER_SEGMENT);
    }

    static int pageInSegment(long pageno) {
        return (int) (pageno % PAGES_PER_SEGMENT);
    }

    /**
     * {@code CLOGPagePrecedes}: whether every xid of page1 precedes every xid of page2, in modular xid order.
     */
    static boolean clogPagePrecedes(long page1, long page2) {
        int xid1 = (int) (page1 * CLOG_XACTS_PER_PAGE) + 3 + 1;
        int xid2 = (int) (page2 * CLOG_XACTS_PER_PAGE) + 3 + 1;
        return xidPrecedes(xid1, xid2) && xidPrecedes(xid1, xid2 + (int) CLOG_XACTS_PER_PAGE - 1);
    }

    /** {@code MultiXactOffsetPagePrecedes}. */
    static boolean offsetsPagePrecedes(long page1, long page2) {
        int m1 = (int) (page1 * MULTIXACT_OFFSETS_PER_PAGE) + 1 + 1;
        int m2 = (int) (page2 * MULTIXACT_OFFSETS_PER_PAGE) + 1 + 1;
        return m1 - m2 < 0 && m1 - (m2 + (int) MULTIXACT_OFFSETS_PER_PAGE - 1) < 0;
    }

    /** {@code TransactionIdPrecedes}. */
    static boolean xidPrecedes(int a, int b) {
        if (Integer.compareUnsigned(a, 3) < 0 || Integer.compareUnsigned(b, 3) < 0) {
            return Integer.compareUnsigned(a, b) < 0;
        }
        return a - b < 0;
    }

    /**
     * {@code SlruMayDeleteSegment} with a cutoff page rounded down to its segment start, as
     * {@code SimpleLruTruncate} uses it: a segment goes when its first and last pages both precede the cutoff.
     */
    static boolean segmentPrecedesCutoff(int segno, long cutoffPage, boolean clog) {
        long cutoff = cutoffPage - cutoffPage % PAGES_PER_SEGMENT;
        long first = (long) segno * PAGES_PER_SEGMENT;
        long last = first + PAGES_PER_SEGMENT - 1;
        return clog ? clogPagePrecedes(first, cutoff) && clogPagePrecedes(last, cutoff)
                : offsetsPagePrecedes(first, cutoff) && offsetsPagePrecedes(last, cutoff);
    }
}

package dev.strata.storage.wal;

import dev.strata.storage.pg.Lsn;

/**
 * Checks WAL page headers as PostgreSQL 15's {@code XLogReaderValidatePageHeader} does, once per page, in stream
 * order: the magic, the info bits, the long header on every segment's first page (system identifier, segment size,
 * block size), the page's own address and a timeline that never goes backwards (and, when a limit is set, is not
 * newer than the WAL being read).
 *
 * <p>Two outcomes are the end of the WAL rather than errors: an all-zero header (a page never written) and a page
 * whose {@code xlp_pageaddr} is not its position (old contents of a recycled segment).
 */
final class WalPageValidator {
    /** {@link #check} result: the page is the end of the WAL ({@link #endReason()} says why). */
    static final int END_OF_WAL = -1;

    private final int segmentSize;
    private long systemId;
    private long maxTimeline;
    private long latestPageTli;
    private long validatedPage = -1;
    private String endReason;

    WalPageValidator(int segmentSize) {
        this.segmentSize = segmentSize;
    }

    void expectSystemId(long sysid) {
        this.systemId = sysid;
    }

    void maxTimeline(long tli) {
        this.maxTimeline = tli;
    }

    long systemId() {
        return systemId;
    }

    String endReason() {
        return endReason;
    }

    /**
     * Checks the header of the page at LSN {@code page}, whose bytes start at {@code b[p]} with {@code available}
     * bytes there. Returns the header size (24 or 40), 0 when not all of the header has arrived, or
     * {@link #END_OF_WAL}.
     *
     * @throws WalFormatException naming the page's LSN when the header is invalid
     */
    int check(byte[] b, int p, long page, long available) {
        if (available < WalPageHeader.SIZE_SHORT) {
            return 0;
        }
        int info = WalPageHeader.info(b, p);
        int size = WalPageHeader.size(info);
        if (available < size) {
            return 0;
        }
        if (page <= validatedPage) {
            return size;
        }
        int magic = WalPageHeader.magic(b, p);
        if (magic != WalPageHeader.XLOG_PAGE_MAGIC) {
            if (WalPageHeader.allZero(b, p, WalPageHeader.SIZE_SHORT)) {
                return end("the page at " + Lsn.format(page) + " was never written (zeroed)");
            }
            throw new WalFormatException(page, String.format("invalid magic number %04X in page header", magic));
        }
        if ((info & ~WalPageHeader.XLP_ALL_FLAGS) != 0) {
            throw new WalFormatException(page, String.format("invalid info bits %04X in page header", info));
        }
        if ((info & WalPageHeader.XLP_LONG_HEADER) != 0) {
            checkLongHeader(b, p, page);
        } else if (page % segmentSize == 0) {
            throw new WalFormatException(page, String.format(
                    "invalid info bits %04X: the first page of a segment lacks the long header", info));
        }
        long addr = WalPageHeader.pageAddr(b, p);
        if (addr != page) {
            return end("the page at " + Lsn.format(page) + " carries address " + Lsn.format(addr)
                    + " (left over from a recycled segment)");
        }
        checkTimeline(page, Integer.toUnsignedLong(WalPageHeader.tli(b, p)));
        validatedPage = page;
        return size;
    }

    private void checkLongHeader(byte[] b, int p, long page) {
        long sysid = WalPageHeader.sysid(b, p);
        if (systemId == 0) {
            systemId = sysid;
        } else if (sysid != systemId) {
            throw new WalFormatException(page, "WAL is from a different database system: its system identifier is "
                    + Long.toUnsignedString(sysid) + ", expected " + Long.toUnsignedString(systemId));
        }
        int seg = WalPageHeader.segSize(b, p);
        if (seg != segmentSize) {
            throw new WalFormatException(page, "WAL is from a different database system: segment size "
                    + Integer.toUnsignedString(seg) + " in the page header, expected " + segmentSize);
        }
        int blcksz = WalPageHeader.blcksz(b, p);
        if (blcksz != WalPageHeader.XLOG_BLCKSZ) {
            throw new WalFormatException(page, "WAL is from a different database system: XLOG_BLCKSZ "
                    + Integer.toUnsignedString(blcksz) + " in the page header, expected " + WalPageHeader.XLOG_BLCKSZ);
        }
    }

    private void checkTimeline(long page, long tli) {
        if (tli < latestPageTli) {
            throw new WalFormatException(page, "out-of-sequence timeline ID " + tli + " (after " + latestPageTli
                    + ")");
        }
        if (maxTimeline != 0 && tli > maxTimeline) {
            throw new WalFormatException(page, "page of timeline " + tli + " in WAL of timeline " + maxTimeline);
        }
        latestPageTli = tli;
    }

    private int end(String reason) {
        endReason = reason;
        return END_OF_WAL;
    }
}

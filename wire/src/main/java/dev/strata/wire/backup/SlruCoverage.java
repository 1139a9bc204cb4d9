package dev.strata.wire.backup;

import dev.strata.storage.KeyNotFoundException;
import dev.strata.storage.key.Key;
import dev.strata.storage.pg.Lsn;
import dev.strata.storage.pgdata.DatadirView;

/**
 * Checks that the SLRU pages a server reads when it starts without recovery are in the backup. At the end of
 * startup PostgreSQL zeroes the tail of the current page of pg_xact (the page of next XID), of
 * pg_multixact/offsets (next multixact) and of pg_multixact/members (next member offset), reading that page first
 * unless the next value is the first entry of its page; a missing page stops the server ("could not access status
 * of transaction"). Outside recovery nothing creates it.
 *
 * <p>Entries per 8192-byte page: 32768 transactions in pg_xact (2 bits each), 2048 multixacts in offsets (4 bytes
 * each), 1636 members in members (groups of 4 one-byte flags and 4 four-byte XIDs, 409 groups per page); 32 pages
 * per segment.
 */
final class SlruCoverage {
    private static final int PAGES_PER_SEGMENT = 32;
    private static final long CLOG_XACTS_PER_PAGE = 32768;
    private static final long OFFSETS_PER_PAGE = 2048;
    private static final long MEMBERS_PER_PAGE = 1636;

    private SlruCoverage() {
    }

    static void check(DatadirView view, long lsn, CheckPoint cp) {
        require(view, lsn, Key.SLRU_CLOG, Integer.toUnsignedLong(cp.nextXid()), CLOG_XACTS_PER_PAGE, "next XID");
        require(view, lsn, Key.SLRU_MULTIXACT_OFFSETS, Integer.toUnsignedLong(cp.nextMulti()), OFFSETS_PER_PAGE,
                "next multixact");
        require(view, lsn, Key.SLRU_MULTIXACT_MEMBERS, Integer.toUnsignedLong(cp.nextMultiOffset()),
                MEMBERS_PER_PAGE, "next multixact member offset");
    }

    private static void require(DatadirView view, long lsn, int kind, long next, long perPage, String what) {
        if (next % perPage == 0) {
            return;
        }
        long page = next / perPage;
        int segno = (int) (page / PAGES_PER_SEGMENT);
        int pageInSegment = (int) (page % PAGES_PER_SEGMENT);
        int pages;
        try {
            pages = view.slruSegmentSize(kind, segno, lsn);
        } catch (KeyNotFoundException e) {
            pages = 0;
        }
        if (pages <= pageInSegment) {
            throw new BackupException(PgPaths.slruSegment(kind, segno) + " at " + Lsn.format(lsn) + " has " + pages
                    + " pages, but the " + what + " (" + next + ") is on its page " + pageInSegment
                    + ", which PostgreSQL reads when it starts: the stored SLRU does not cover the checkpoint's "
                    + "counters");
        }
    }
}

package dev.strata.storage.wal;

import dev.strata.storage.pg.Lsn;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Per-resource-manager and per-record-type counts and sizes, printed like pg_waldump {@code --stats} (PostgreSQL
 * 15's {@code XLogRecStoreStats} and {@code XLogDumpDisplayStats}): for each row the record count, the record
 * bytes without page images, the page image bytes and their sum, each with its share of the column total.
 * Record types are the high nibble of {@code xl_info}, except for Transaction records where only the three
 * opcode bits count (the fourth is a flag).
 */
public final class WalStats {
    private final long[] count = new long[256];
    private final long[] recLen = new long[256];
    private final long[] fpiLen = new long[256];
    private final long[][] typeCount = new long[256][16];
    private final long[][] typeRecLen = new long[256][16];
    private final long[][] typeFpiLen = new long[256][16];
    private long total;
    private long startLsn = Lsn.INVALID;
    private long endLsn = Lsn.INVALID;

    /** Counts one record. */
    public void add(DecodedRecord r) {
        int rmid = r.rmid();
        int fpi = WalDumpFormat.fpiLength(r);
        int rec = r.totalLength() - fpi;
        int recid = r.info() >> 4;
        if (rmid == Rmgrs.RM_XACT_ID) {
            recid &= 0x07;
        }
        count[rmid]++;
        recLen[rmid] += rec;
        fpiLen[rmid] += fpi;
        typeCount[rmid][recid]++;
        typeRecLen[rmid][recid] += rec;
        typeFpiLen[rmid][recid] += fpi;
        total++;
        if (startLsn == Lsn.INVALID) {
            startLsn = r.lsn();
        }
        endLsn = r.endLsn();
    }

    public long records() {
        return total;
    }

    /** Records counted for one resource manager. */
    public long records(int rmid) {
        return count[rmid];
    }

    /** Prints the table; {@code perRecord} gives one row per record type instead of per resource manager. */
    public void print(PrintStream out, boolean perRecord) {
        if (endLsn == Lsn.INVALID) {
            return;
        }
        long totalRec = 0;
        long totalFpi = 0;
        long totalCount = 0;
        for (int ri = 0; ri < 256; ri++) {
            totalCount += count[ri];
            totalRec += recLen[ri];
            totalFpi += fpiLen[ri];
        }
        long totalLen = totalRec + totalFpi;
        out.printf(Locale.ROOT, "WAL statistics between %s and %s:%n", Lsn.format(startLsn), Lsn.format(endLsn));
        out.printf(Locale.ROOT, "%-27s %20s %8s %20s %8s %20s %8s %20s %8s%n%-27s %20s %8s %20s %8s %20s %8s %20s %8s%n",
                "Type", "N", "(%)", "Record size", "(%)", "FPI size", "(%)", "Combined size", "(%)",
                "----", "-", "---", "-----------", "---", "--------", "---", "-------------", "---");
        for (int ri = 0; ri < 256; ri++) {
            String name = Rmgrs.name(ri);
            if (name == null) {
                continue;
            }
            if (!perRecord) {
                if (ri >= RecordDecoder.RM_MIN_CUSTOM_ID && count[ri] == 0) {
                    continue;
                }
                row(out, name, count[ri], totalCount, recLen[ri], totalRec, fpiLen[ri], totalFpi, totalLen);
                continue;
            }
            for (int rj = 0; rj < 16; rj++) {
                if (typeCount[ri][rj] != 0) {
                    row(out, name + "/" + Rmgrs.recordType(ri, rj << 4), typeCount[ri][rj], totalCount,
                            typeRecLen[ri][rj], totalRec, typeFpiLen[ri][rj], totalFpi, totalLen);
                }
            }
        }
        out.printf(Locale.ROOT, "%-27s %20s %8s %20s %8s %20s %8s %20s%n", "", "--------", "", "--------", "",
                "--------", "", "--------");
        out.printf(Locale.ROOT, "%-27s %20d %-9s%20d %-9s%20d %-9s%20d %-6s%n", "Total", total, "", totalRec,
                String.format(Locale.ROOT, "[%.02f%%]", pct(totalRec, totalLen)), totalFpi,
                String.format(Locale.ROOT, "[%.02f%%]", pct(totalFpi, totalLen)), totalLen, "[100%]");
    }

    private static void row(PrintStream out, String name, long n, long totalCount, long rec, long totalRec, long fpi,
                            long totalFpi, long totalLen) {
        long tot = rec + fpi;
        out.printf(Locale.ROOT, "%-27s %20d (%6.02f) %20d (%6.02f) %20d (%6.02f) %20d (%6.02f)%n", name, n,
                pct(n, totalCount), rec, pct(rec, totalRec), fpi, pct(fpi, totalFpi), tot, pct(tot, totalLen));
    }

    private static double pct(long part, long whole) {
        return whole == 0 ? 0 : 100.0 * part / whole;
    }
}

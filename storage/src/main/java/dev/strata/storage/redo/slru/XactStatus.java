package dev.strata.storage.redo.slru;

import dev.strata.storage.pg.RelTag;
import dev.strata.storage.redo.RedoException;
import dev.strata.storage.wal.DecodedRecord;

import static dev.strata.storage.redo.page.Bytes.i32;

/**
 * The pg_xact effect of a Transaction (rmid 1) record: which xids end in which status. Parsed as
 * {@code ParseCommitRecord}/{@code ParseAbortRecord} do. Main data: xact_time i64; if xl_info &amp; 0x80 an xinfo
 * u32; then, each present when its xinfo bit is set: DBINFO (1) dbId, tsId; SUBXACTS (2) nsubxacts i32 + u32 xids;
 * RELFILENODES (4) nrels i32 + 12-byte nodes; DROPPED_STATS (0x100) nitems i32 + 12-byte items; INVALS (8)
 * nmsgs i32 + 16-byte messages; TWOPHASE (0x10) xid u32 (then a GID, not needed here).
 *
 * @param xid     the transaction: the record's xid, or the prepared transaction's for *_PREPARED
 * @param status  {@link SlruPages#TRANSACTION_STATUS_COMMITTED} or {@link SlruPages#TRANSACTION_STATUS_ABORTED}
 * @param subxids its subtransactions, which end in the same status
 * @param dropped relations whose files the commit or abort removes (main fork given; all forks go)
 */
public record XactStatus(int xid, int status, int[] subxids, RelTag[] dropped) {
    public static final int RM_XACT_ID = 1;
    public static final int XLOG_XACT_COMMIT = 0x00;
    public static final int XLOG_XACT_PREPARE = 0x10;
    public static final int XLOG_XACT_ABORT = 0x20;
    public static final int XLOG_XACT_COMMIT_PREPARED = 0x30;
    public static final int XLOG_XACT_ABORT_PREPARED = 0x40;
    public static final int XLOG_XACT_OPMASK = 0x70;
    public static final int XLOG_XACT_HAS_INFO = 0x80;

    private static final int XINFO_HAS_DBINFO = 1;
    private static final int XINFO_HAS_SUBXACTS = 2;
    private static final int XINFO_HAS_RELFILENODES = 4;
    private static final int XINFO_HAS_INVALS = 8;
    private static final int XINFO_HAS_TWOPHASE = 0x10;
    private static final int XINFO_HAS_DROPPED_STATS = 0x100;

    /** The status change of a commit or abort record, or null for other Transaction records (no pg_xact effect). */
    public static XactStatus of(DecodedRecord rec) {
        if (rec.rmid() != RM_XACT_ID) {
            return null;
        }
        int op = rec.rmgrInfo() & XLOG_XACT_OPMASK;
        boolean commit = op == XLOG_XACT_COMMIT || op == XLOG_XACT_COMMIT_PREPARED;
        boolean abort = op == XLOG_XACT_ABORT || op == XLOG_XACT_ABORT_PREPARED;
        if (!commit && !abort) {
            return null;
        }
        byte[] raw = rec.raw();
        int p = rec.mainDataOffset() + 8;
        int end = rec.mainDataOffset() + rec.mainDataLength();
        int xinfo = 0;
        if ((rec.info() & XLOG_XACT_HAS_INFO) != 0) {
            xinfo = i32(raw, check(p, 4, end));
            p += 4;
        }
        if ((xinfo & XINFO_HAS_DBINFO) != 0) {
            p += 8;
        }
        int[] subxids = new int[0];
        if ((xinfo & XINFO_HAS_SUBXACTS) != 0) {
            int n = i32(raw, check(p, 4, end));
            check(p + 4, 4L * n, end);
            subxids = new int[n];
            for (int i = 0; i < n; i++) {
                subxids[i] = i32(raw, p + 4 + 4 * i);
            }
            p += 4 + 4 * n;
        }
        RelTag[] dropped = new RelTag[0];
        if ((xinfo & XINFO_HAS_RELFILENODES) != 0) {
            int n = i32(raw, check(p, 4, end));
            check(p + 4, 12L * n, end);
            dropped = new RelTag[n];
            for (int i = 0; i < n; i++) {
                int q = p + 4 + 12 * i;
                dropped[i] = new RelTag(i32(raw, q), i32(raw, q + 4), i32(raw, q + 8), RelTag.MAIN_FORKNUM);
            }
            p += 4 + 12 * n;
        }
        p = skipArray(raw, p, end, xinfo, XINFO_HAS_DROPPED_STATS, 12);
        p = skipArray(raw, p, end, xinfo, XINFO_HAS_INVALS, 16);
        int xid = rec.xid();
        if (op == XLOG_XACT_COMMIT_PREPARED || op == XLOG_XACT_ABORT_PREPARED) {
            if ((xinfo & XINFO_HAS_TWOPHASE) == 0) {
                throw new RedoException("prepared-transaction record without its TWOPHASE xid");
            }
            xid = i32(raw, check(p, 4, end));
        }
        return new XactStatus(xid, commit ? SlruPages.TRANSACTION_STATUS_COMMITTED
                : SlruPages.TRANSACTION_STATUS_ABORTED, subxids, dropped);
    }

    private static int skipArray(byte[] raw, int p, int end, int xinfo, int bit, int itemSize) {
        if ((xinfo & bit) == 0) {
            return p;
        }
        int n = i32(raw, check(p, 4, end));
        check(p + 4, (long) itemSize * n, end);
        return p + 4 + itemSize * n;
    }

    private static int check(int p, long len, int end) {
        if (len < 0 || p + len > end) {
            throw new RedoException("transaction record main data ends before offset " + (p + len));
        }
        return p;
    }
}

package dev.strata.replication.ingest;

import java.nio.ByteBuffer;

/**
 * The parts of a PostgreSQL 15 commit or abort record ({@code xl_xact_commit} / {@code xl_xact_abort}, also for
 * COMMIT_PREPARED / ABORT_PREPARED) that ingest needs, parsed like {@code ParseCommitRecord}:
 *
 * <pre>
 * i64 xact_time
 * u32 xinfo                                          when info has XLOG_XACT_HAS_INFO (0x80)
 * then, each only when its xinfo bit is set, in this order:
 *   DBINFO (0x01)        u32 dbId, u32 tsId
 *   SUBXACTS (0x02)      i32 n, n x u32 subxid
 *   RELFILENODES (0x04)  i32 n, n x {u32 spc, u32 db, u32 rel}
 *   DROPPED_STATS (0x100) i32 n, n x 12 bytes
 *   INVALS (0x08)        i32 n, n x 16 bytes            (commit records only)
 *   TWOPHASE (0x10)      u32 xid                         (then a GID string when GID 0x80; not needed here)
 * </pre>
 *
 * @param xactTime     commit timestamp (µs since 2000-01-01), 0 for aborts' purposes
 * @param subxids      subtransaction ids
 * @param droppedRels  relfilenodes dropped by this transaction's end, 3 ints each (spc, db, rel)
 * @param twophaseXid  the prepared transaction's xid (0 when not a prepared transaction)
 */
record XactRecord(long xactTime, int[] subxids, int[] droppedRels, int twophaseXid) {
    private static final int DBINFO = 0x01;
    private static final int SUBXACTS = 0x02;
    private static final int RELFILENODES = 0x04;
    private static final int INVALS = 0x08;
    private static final int TWOPHASE = 0x10;
    private static final int DROPPED_STATS = 0x100;

    /**
     * @param data   the record's main data (little-endian)
     * @param commit true for COMMIT / COMMIT_PREPARED (they may carry invalidations), false for aborts
     * @throws IllegalArgumentException when the data is shorter than its own counts say
     */
    static XactRecord parse(ByteBuffer data, int info, boolean commit) {
        try {
            long time = data.getLong();
            int xinfo = (info & Rmgr.XACT_HAS_INFO) != 0 ? data.getInt() : 0;
            if ((xinfo & DBINFO) != 0) {
                skip(data, 8);
            }
            int[] subxids = new int[0];
            if ((xinfo & SUBXACTS) != 0) {
                subxids = new int[count(data)];
                for (int i = 0; i < subxids.length; i++) {
                    subxids[i] = data.getInt();
                }
            }
            int[] rels = new int[0];
            if ((xinfo & RELFILENODES) != 0) {
                rels = new int[count(data) * 3];
                for (int i = 0; i < rels.length; i++) {
                    rels[i] = data.getInt();
                }
            }
            if ((xinfo & DROPPED_STATS) != 0) {
                skip(data, count(data) * 12L);
            }
            if (commit && (xinfo & INVALS) != 0) {
                skip(data, count(data) * 16L);
            }
            int twophase = (xinfo & TWOPHASE) != 0 ? data.getInt() : 0;
            return new XactRecord(time, subxids, rels, twophase);
        } catch (java.nio.BufferUnderflowException e) {
            throw new IllegalArgumentException("transaction record main data of " + data.limit()
                    + " bytes ends before its xinfo fields", e);
        }
    }

    private static int count(ByteBuffer data) {
        int n = data.getInt();
        if (n < 0 || n > data.remaining()) {
            throw new IllegalArgumentException("transaction record has an impossible count " + n);
        }
        return n;
    }

    private static void skip(ByteBuffer data, long n) {
        if (n > data.remaining()) {
            throw new java.nio.BufferUnderflowException();
        }
        data.position(data.position() + (int) n);
    }
}

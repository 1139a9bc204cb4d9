package dev.strata.replication.ingest;

import dev.strata.storage.key.Key;
import dev.strata.storage.pg.RelTag;
import dev.strata.storage.pgdata.DatadirModification;
import dev.strata.storage.redo.StrataRecord;
import dev.strata.storage.wal.DecodedRecord;

import java.nio.ByteBuffer;

/**
 * Transaction records: commit and abort (plain and prepared) set CLOG status for the transaction and its
 * subtransactions and drop the relations the transaction ended; PREPARE stores the two-phase state; ASSIGNMENT
 * only moves nextXid.
 */
final class XactIngest {
    private final DatadirModification mod;
    private final CheckpointState cp;

    XactIngest(DatadirModification mod, CheckpointState cp) {
        this.mod = mod;
        this.cp = cp;
    }

    void ingest(DecodedRecord rec) {
        int info = rec.info();
        int op = info & Rmgr.XACT_OPMASK;
        switch (op) {
            case Rmgr.XACT_COMMIT, Rmgr.XACT_COMMIT_PREPARED, Rmgr.XACT_ABORT, Rmgr.XACT_ABORT_PREPARED -> {
                boolean commit = op == Rmgr.XACT_COMMIT || op == Rmgr.XACT_COMMIT_PREPARED;
                boolean prepared = op == Rmgr.XACT_COMMIT_PREPARED || op == Rmgr.XACT_ABORT_PREPARED;
                XactRecord x = XactRecord.parse(rec.mainData(), info, commit);
                int xid = prepared ? x.twophaseXid() : rec.xid();
                setStatus(xid, x.subxids(), commit ? StrataRecord.CLOG_COMMITTED : StrataRecord.CLOG_ABORTED,
                        commit ? x.xactTime() : 0);
                dropRelations(x.droppedRels());
                if (prepared) {
                    mod.dropTwoPhase(xid);
                }
            }
            case Rmgr.XACT_PREPARE -> {
                ByteBuffer data = rec.mainData();
                byte[] state = new byte[data.remaining()];
                data.get(state);
                mod.putTwoPhase(rec.xid(), state);
            }
            case Rmgr.XACT_ASSIGNMENT -> {
                ByteBuffer data = rec.mainData();
                data.getInt();
                int n = data.getInt();
                for (int i = 0; i < n; i++) {
                    cp.advancePastXid(data.getInt());
                }
            }
            default -> {
                // INVALIDATIONS: no data-directory effect
            }
        }
    }

    /**
     * One CLOG_SET_STATUS value per CLOG page holding any of the xids (ascending within a page). Only the final
     * state is stored: the sub-committed step PostgreSQL takes on the way is never visible at a record boundary.
     */
    private void setStatus(int xid, int[] subxids, int status, long time) {
        cp.advancePastXid(xid);
        if (subxids.length == 0) {
            putStatus(SlruLayout.clogPage(xid), new int[] {xid}, status, time);
            return;
        }
        long[] byPage = new long[subxids.length + 1];
        for (int i = 0; i < subxids.length; i++) {
            cp.advancePastXid(subxids[i]);
            byPage[i] = SlruLayout.clogPage(subxids[i]) << 32 | Integer.toUnsignedLong(subxids[i]);
        }
        byPage[subxids.length] = SlruLayout.clogPage(xid) << 32 | Integer.toUnsignedLong(xid);
        java.util.Arrays.sort(byPage);
        int i = 0;
        while (i < byPage.length) {
            long page = byPage[i] >>> 32;
            int j = i;
            while (j < byPage.length && byPage[j] >>> 32 == page) {
                j++;
            }
            int[] onPage = new int[j - i];
            for (int k = i; k < j; k++) {
                onPage[k - i] = (int) byPage[k];
            }
            putStatus(page, onPage, status, time);
            i = j;
        }
    }

    private void putStatus(long page, int[] xids, int status, long time) {
        mod.putSlruRecord(Key.SLRU_CLOG, SlruLayout.segment(page), SlruLayout.pageInSegment(page),
                StrataRecord.clogSetStatus(status, time, xids));
    }

    private void dropRelations(int[] rels) {
        for (int i = 0; i + 2 < rels.length; i += 3) {
            for (int fork = RelTag.MAIN_FORKNUM; fork <= RelTag.INIT_FORKNUM; fork++) {
                mod.dropRel(new RelTag(rels[i], rels[i + 1], rels[i + 2], fork));
            }
        }
    }
}

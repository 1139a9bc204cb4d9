package dev.strata.replication.ingest;

import dev.strata.storage.pgdata.CheckPointData;

/**
 * The CheckPoint ingest keeps current (next ids and oldest values), loaded from the timeline at the first record
 * and written back at the end of any record that changed it. The rules follow PostgreSQL's redo: a shutdown
 * checkpoint record is believed exactly; an online one only moves the counters forward and leaves nextOid to the
 * NEXTOID records; xids, multixacts and offsets seen in records move the counters past them.
 */
final class CheckpointState {
    private CheckPointData cp;
    private boolean modified;

    boolean loaded() {
        return cp != null;
    }

    void load(CheckPointData stored) {
        this.cp = stored;
    }

    CheckPointData get() {
        return cp;
    }

    boolean takeModified() {
        boolean m = modified;
        modified = false;
        return m;
    }

    void advancePastXid(int xid) {
        if (cp.advanceNextXidPast(xid)) {
            modified = true;
        }
    }

    void setNextOid(int oid) {
        if (cp.nextOid() != oid) {
            cp.setNextOid(oid);
            modified = true;
        }
    }

    /** {@code MultiXactAdvanceNextMXact}: moves nextMulti and nextMultiOffset forward only. */
    void advanceMulti(int minMulti, int minOffset) {
        if (CheckPointData.multiPrecedes(cp.nextMulti(), minMulti)) {
            cp.setNextMulti(minMulti);
            modified = true;
        }
        if (cp.nextMultiOffset() - minOffset < 0) {
            cp.setNextMultiOffset(minOffset);
            modified = true;
        }
    }

    void advanceOldestXid(int xid, int db) {
        if (CheckPointData.xidPrecedes(cp.oldestXid(), xid)) {
            cp.setOldestXid(xid, db);
            modified = true;
        }
    }

    void setOldestMulti(int multi, int db) {
        cp.setOldestMulti(multi, db);
        modified = true;
    }

    /** Merges a checkpoint record's CheckPoint as PostgreSQL's xlog_redo does. */
    void checkpointRecord(CheckPointData rec, boolean shutdown) {
        CheckPointData merged = rec.copy();
        if (!shutdown) {
            if (fullXidPrecedes(rec.nextXid(), cp.nextXid())) {
                merged.setNextXid(cp.nextXid());
            }
            merged.setNextOid(cp.nextOid());
            if (CheckPointData.multiPrecedes(rec.nextMulti(), cp.nextMulti())) {
                merged.setNextMulti(cp.nextMulti());
            }
            if (rec.nextMultiOffset() - cp.nextMultiOffset() < 0) {
                merged.setNextMultiOffset(cp.nextMultiOffset());
            }
            if (CheckPointData.xidPrecedes(rec.oldestXid(), cp.oldestXid())) {
                merged.setOldestXid(cp.oldestXid(), cp.oldestXidDb());
            }
        }
        if (CheckPointData.multiPrecedes(rec.oldestMulti(), cp.oldestMulti())) {
            merged.setOldestMulti(cp.oldestMulti(), cp.oldestMultiDb());
        }
        cp = merged;
        modified = true;
    }

    private static boolean fullXidPrecedes(long a, long b) {
        return Long.compareUnsigned(a, b) < 0;
    }
}

package dev.strata.it.wire;

import dev.strata.storage.pg.RelTag;
import dev.strata.storage.pgdata.DatadirModification;
import dev.strata.storage.pgdata.DatadirView;
import dev.strata.storage.timeline.Timeline;

/**
 * Copies a data directory (a {@link DatadirView} at one LSN) into an empty timeline through the ingest write path
 * ({@link DatadirModification}), as one record ending at {@code lsn}: every relation fork block by block, the
 * relation maps, the SLRU segments, the two-phase files, pg_control and the checkpoint. That is how the wire tests
 * get a real engine timeline holding exactly a stopped primary's pages.
 */
final class DatadirCopy {
    private DatadirCopy() {
    }

    /** @return the number of relation blocks copied */
    static long copy(DatadirView src, long lsn, long prevLsn, Timeline dst) {
        DatadirModification mod = new DatadirModification(dst);
        mod.begin(lsn);
        long blocks = 0;
        mod.putControlFile(src.controlFile(lsn));
        mod.putCheckpoint(src.checkpoint(lsn));
        for (DatadirView.Database db : src.databases(lsn)) {
            mod.createDatabase(db.spcNode(), db.dbNode());
            byte[] relmap = src.relmapFile(db.spcNode(), db.dbNode(), lsn);
            if (relmap != null) {
                mod.putRelmap(db.spcNode(), db.dbNode(), relmap);
            }
            for (RelTag rel : src.relations(db.spcNode(), db.dbNode(), lsn)) {
                mod.createRel(rel);
                int n = src.relSize(rel, lsn);
                for (int b = 0; b < n; b++) {
                    mod.putRelImage(rel, b, src.relPage(rel, b, lsn));
                    blocks++;
                }
            }
        }
        for (int kind = 0; kind <= 2; kind++) {
            mod.ensureSlruDirectory(kind);
            for (int segno : src.slruSegments(kind, lsn)) {
                int n = src.slruSegmentSize(kind, segno, lsn);
                for (int b = 0; b < n; b++) {
                    mod.putSlruImage(kind, segno, b, src.slruPage(kind, segno, b, lsn));
                }
            }
        }
        mod.ensureTwoPhaseDirectory();
        for (int xid : src.twoPhaseXids(lsn)) {
            mod.putTwoPhase(xid, src.twoPhaseFile(xid, lsn));
        }
        mod.commit(prevLsn);
        return blocks;
    }
}

package dev.strata.it.server;

import dev.strata.storage.pg.RelTag;
import dev.strata.storage.pgdata.DatadirModification;
import dev.strata.storage.timeline.Timeline;

import java.util.Arrays;

/**
 * Writes relation pages into a timeline through the same write path ingest uses ({@link DatadirModification}), so
 * that HTTP tests have data without a primary.
 */
final class TimelineData {
    static final RelTag REL = new RelTag(1663, 5, 16384, RelTag.MAIN_FORKNUM);

    private final DatadirModification mod;
    private long lsn;

    TimelineData(Timeline timeline) {
        this.mod = new DatadirModification(timeline);
        this.lsn = timeline.lastRecordLsn();
    }

    /** A page whose every byte is {@code fill}. */
    static byte[] page(int fill) {
        byte[] p = new byte[8192];
        Arrays.fill(p, (byte) fill);
        return p;
    }

    /** One record that writes block {@code blkno} of {@link #REL} as a page of {@code fill}; returns its end LSN. */
    long writePage(int blkno, int fill) {
        long start = lsn;
        lsn += 0x100;
        mod.begin(lsn);
        mod.createRel(REL);
        mod.putRelImage(REL, blkno, page(fill));
        mod.commit(start);
        return lsn;
    }
}

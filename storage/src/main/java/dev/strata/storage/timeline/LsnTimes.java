package dev.strata.storage.timeline;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Samples of (wall-clock time, last record LSN) taken at each flush and kept in the metadata, so GC can turn the
 * PITR window (a duration) into an LSN. Only what the window needs is kept: the newest sample older than the
 * window, and at most {@link #MAX_SAMPLES} inside it, spaced evenly.
 */
final class LsnTimes {
    static final int MAX_SAMPLES = 64;

    private LsnTimes() {
    }

    static List<TimelineMetadata.LsnTime> add(List<TimelineMetadata.LsnTime> samples, long nowMillis, long lsn,
                                               Duration pitr) {
        List<TimelineMetadata.LsnTime> out = new ArrayList<>();
        long windowStart = nowMillis - pitr.toMillis();
        long spacing = Math.max(1, pitr.toMillis() / MAX_SAMPLES);
        TimelineMetadata.LsnTime olderThanWindow = null;
        for (TimelineMetadata.LsnTime t : samples) {
            if (t.millis() <= windowStart) {
                olderThanWindow = t;
            } else if (out.isEmpty() || t.millis() - out.get(out.size() - 1).millis() >= spacing) {
                out.add(t);
            }
        }
        if (olderThanWindow != null) {
            out.add(0, olderThanWindow);
        }
        TimelineMetadata.LsnTime last = out.isEmpty() ? null : out.get(out.size() - 1);
        if (last == null || nowMillis - last.millis() >= spacing || last.millis() <= windowStart) {
            out.add(new TimelineMetadata.LsnTime(nowMillis, lsn));
        }
        return out;
    }

    /**
     * The newest LSN the timeline had reached at or before {@code millis}: history at or above it is inside the
     * window. Returns -1 when no sample is that old (nothing may be collected yet).
     */
    static long lsnAt(List<TimelineMetadata.LsnTime> samples, long millis) {
        long lsn = -1;
        for (TimelineMetadata.LsnTime t : samples) {
            if (t.millis() <= millis) {
                lsn = Math.max(lsn, t.lsn());
            }
        }
        return lsn;
    }
}

package dev.strata.wire.walsender;

import dev.strata.storage.timeline.Timeline;
import dev.strata.wire.BackupSource;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;

/**
 * The synthetic WAL segments of recent backups, so that {@code pg_basebackup -X stream}'s second connection
 * streams exactly the segment whose checkpoint the main connection's BASE_BACKUP described, even when the
 * timeline moved on in between. Bounded: the {@link #CAPACITY} most recently used segments (16 MiB each by
 * default) are kept.
 */
public final class WalSegmentRegistry {
    static final int CAPACITY = 4;

    private record Entry(String timelineKey, long lsn, BackupSource.WalSegment segment) {
    }

    private final Deque<Entry> entries = new ArrayDeque<>();

    private static String key(Timeline tl) {
        return tl.tenantId() + "/" + tl.timelineId();
    }

    /** The segment for a backup of {@code tl} at {@code lsn}, made once and reused. */
    public BackupSource.WalSegment segmentAt(Timeline tl, long lsn, SegmentMaker maker) throws Exception {
        String k = key(tl);
        synchronized (this) {
            for (Iterator<Entry> it = entries.iterator(); it.hasNext(); ) {
                Entry e = it.next();
                if (e.timelineKey.equals(k) && e.lsn == lsn) {
                    it.remove();
                    entries.addFirst(e);
                    return e.segment;
                }
            }
        }
        BackupSource.WalSegment seg = maker.make();
        synchronized (this) {
            entries.addFirst(new Entry(k, lsn, seg));
            while (entries.size() > CAPACITY) {
                entries.removeLast();
            }
        }
        return seg;
    }

    /** The most recently used segment of {@code tl} that contains {@code position}, or null. */
    public synchronized BackupSource.WalSegment containing(Timeline tl, long position) {
        String k = key(tl);
        for (Entry e : entries) {
            BackupSource.WalSegment s = e.segment;
            if (e.timelineKey.equals(k) && Long.compareUnsigned(position, s.segmentStart()) >= 0
                    && Long.compareUnsigned(position, s.segmentStart() + s.segmentSize()) < 0) {
                return s;
            }
        }
        return null;
    }

    /** Makes a segment on a miss. */
    @FunctionalInterface
    public interface SegmentMaker {
        BackupSource.WalSegment make() throws Exception;
    }
}

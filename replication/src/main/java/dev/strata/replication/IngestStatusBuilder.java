package dev.strata.replication;

import dev.strata.replication.stream.IngestCounters;
import dev.strata.replication.stream.TimelineStreamer;
import dev.strata.storage.timeline.Timeline;

import java.util.Locale;

/** Assembles an {@link IngestStatus} from a timeline, its import progress and its streamer. */
final class IngestStatusBuilder {
    private IngestStatusBuilder() {
    }

    static IngestStatus of(Timeline tl, boolean importing, ImportProgress p, TimelineStreamer s, String conninfo,
                           String slot) {
        String state = importing ? "importing"
                : s == null ? "starting" : s.state().name().toLowerCase(Locale.ROOT).replace('_', '-');
        IngestCounters c = s == null ? null : s.counters();
        long last = tl.lastRecordLsn();
        long primary = c == null ? 0 : c.primaryFlushLsn();
        long lag = primary != 0 && Long.compareUnsigned(primary, last) > 0 ? primary - last : 0;
        return new IngestStatus(state, conninfo, slot, c == null ? 0 : c.receivedLsn(), last, tl.diskConsistentLsn(),
                primary, lag, p.bytesDone(), p.bytesTotal(), p.filesDone(), p.filesTotal(),
                c == null ? 0 : c.walBytes(), c == null ? 0 : c.records(), c == null ? null : c.lastError());
    }
}

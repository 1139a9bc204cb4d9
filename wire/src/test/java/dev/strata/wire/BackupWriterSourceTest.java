package dev.strata.wire;

import dev.strata.storage.timeline.Timeline;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class BackupWriterSourceTest {
    /** A timeline whose last and prev record LSNs answer the given values, one per call, in order. */
    private static Timeline timeline(List<Long> last, List<Long> prev) {
        Deque<Long> lasts = new ArrayDeque<>(last);
        Deque<Long> prevs = new ArrayDeque<>(prev);
        return (Timeline) Proxy.newProxyInstance(Timeline.class.getClassLoader(), new Class<?>[]{Timeline.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "lastRecordLsn" -> lasts.pop();
                    case "prevRecordLsn" -> prevs.pop();
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void at_the_last_record_the_previous_record_is_its_start() {
        assertThat(BackupWriterSource.prevRecordLsn(timeline(List.of(0x2000L), List.of(0x1F00L)), 0x2000L))
                .isEqualTo(0x1F00L);
    }

    @Test
    void below_the_last_record_the_previous_record_is_not_known() {
        assertThat(BackupWriterSource.prevRecordLsn(timeline(List.of(0x3000L), List.of(0x2F00L)), 0x2000L))
                .isZero();
    }

    @Test
    void a_pair_torn_by_ingest_moving_on_is_not_known_rather_than_after_the_backup_lsn() {
        // last read before ingest advanced, prev after it: the new record starts where the old one ended
        assertThat(BackupWriterSource.prevRecordLsn(timeline(List.of(0x2000L), List.of(0x2000L)), 0x2000L))
                .isZero();
        assertThat(BackupWriterSource.prevRecordLsn(timeline(List.of(0x2000L), List.of(0x2400L)), 0x2000L))
                .isZero();
    }
}

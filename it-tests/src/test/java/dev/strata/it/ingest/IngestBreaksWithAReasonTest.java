package dev.strata.it.ingest;

import dev.strata.it.TestPrimary;
import dev.strata.replication.IngestStatus;
import dev.strata.replication.ReplicationException;
import dev.strata.replication.ReplicationService;
import dev.strata.storage.timeline.Timeline;
import dev.strata.storage.timeline.TimelineState;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Failures that reconnecting cannot fix leave the timeline broken, with what happened and what to do. */
class IngestBreaksWithAReasonTest {
    @Test
    void aSlotDroppedWhileStrataWasStoppedBreaksTheTimeline() throws Exception {
        assumeTrue(TestPrimary.available(), TestPrimary.installHint());
        try (TestPrimary pg = TestPrimary.start(); StrataNode node = StrataNode.inTemp()) {
            Timeline tl = node.replication.createFromPrimary(null, null, pg.conninfo(), "strata_gone");
            node.replication.close();
            pg.sql("SELECT pg_drop_replication_slot('strata_gone')");
            String reason = resumeUntilBroken(node, tl);
            assertThat(reason).contains("strata_gone").contains("no longer exists").contains("new timeline");
        }
    }

    @Test
    void walRemovedBeforeStrataResumedBreaksTheTimeline() throws Exception {
        assumeTrue(TestPrimary.available(), TestPrimary.installHint());
        try (TestPrimary pg = TestPrimary.start(); StrataNode node = StrataNode.inTemp()) {
            Timeline tl = node.replication.createFromPrimary(null, null, pg.conninfo(), "strata_short");
            node.replication.close();
            pg.sql("SELECT pg_drop_replication_slot('strata_short')");
            for (int i = 0; i < 3; i++) {
                pg.sql("CREATE TABLE IF NOT EXISTS filler AS SELECT 1 AS x", "SELECT pg_switch_wal()", "CHECKPOINT");
            }
            pg.sql("SELECT pg_create_physical_replication_slot('strata_short', true)");
            String reason = resumeUntilBroken(node, tl);
            assertThat(reason).contains("already removed").contains("new timeline");
        }
    }

    @Test
    void aDifferentClusterBehindTheConnectionStringBreaksTheTimeline() throws Exception {
        assumeTrue(TestPrimary.available(), TestPrimary.installHint());
        try (TestPrimary pg = TestPrimary.start(); TestPrimary other = TestPrimary.start();
             StrataNode node = StrataNode.inTemp()) {
            Timeline tl = node.replication.createFromPrimary(null, null, pg.conninfo(), "strata_moved");
            node.replication.close();
            tl.setProperty(ReplicationService.PROP_CONNINFO, other.conninfo());
            String reason = resumeUntilBroken(node, tl);
            assertThat(reason).contains("different PostgreSQL cluster").contains("system identifier");
        }
    }

    @Test
    void aPrimaryThatCannotReplicateIsRefusedWithTheSettingsToChange() throws Exception {
        assumeTrue(TestPrimary.available(), TestPrimary.installHint());
        try (TestPrimary pg = TestPrimary.builder().setting("wal_level", "minimal").setting("max_wal_senders", "0")
                .start(); StrataNode node = StrataNode.inTemp()) {
            assertThatThrownBy(() -> node.replication.createFromPrimary(null, null, pg.conninfo(), "strata_min"))
                    .isInstanceOf(ReplicationException.class)
                    .hasMessageContaining("wal_level = replica").hasMessageContaining("max_wal_senders = 10")
                    .hasMessageContaining("restart it");
            assertThat(node.tenants.tenants().stream().mapToInt(t -> t.timelines().size()).sum()).isZero();
        }
    }

    /** Resumes with a fresh service and waits for the timeline to go broken; returns the reason. */
    private static String resumeUntilBroken(StrataNode node, Timeline tl) throws InterruptedException {
        try (ReplicationService again = new ReplicationService(node.tenants)) {
            again.resumeAll();
            for (int i = 0; i < 300 && tl.state() != TimelineState.BROKEN; i++) {
                Thread.sleep(100);
            }
            assertThat(tl.state()).isEqualTo(TimelineState.BROKEN);
            IngestStatus st = again.status(tl.tenantId(), tl.timelineId());
            assertThat(st.state()).isEqualTo("broken");
            assertThat(st.lastError()).isEqualTo(tl.brokenReason());
            System.out.println("broken: " + tl.brokenReason());
            return tl.brokenReason();
        }
    }
}

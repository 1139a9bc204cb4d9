package dev.strata.it.ingest;

import dev.strata.it.TestPrimary;
import dev.strata.replication.IngestStatus;
import dev.strata.replication.ReplicationService;
import dev.strata.storage.pg.Lsn;
import dev.strata.storage.pgdata.CheckPointData;
import dev.strata.storage.pgdata.Datadir;
import dev.strata.storage.timeline.Timeline;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class IngestMatchesPrimaryTest {
    private static void pgbench(TestPrimary pg, int seconds) {
        try {
            Workload.pgbenchRun(pg, seconds);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * The CheckPoint Strata keeps (what a backup at this LSN writes into pg_control) is at least as far as the
     * primary's latest checkpoint for every counter, and equal for the oldest values.
     */
    private static void checkpointStateCoversThePrimarys(TestPrimary pg, Timeline tl) throws Exception {
        CheckPointData ours = CheckPointData.decode(new Datadir(tl).checkpoint(tl.lastRecordLsn()));
        try (java.sql.Connection c = pg.connect(); java.sql.Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery("SELECT next_xid, next_oid, next_multixact_id, "
                     + "next_multi_offset, oldest_xid, oldest_multi_xid FROM pg_control_checkpoint()")) {
            rs.next();
            String[] xid = rs.getString(1).split(":");
            long primaryNextXid = Long.parseLong(xid[0]) << 32 | Long.parseLong(xid[1]);
            System.out.println("CheckPoint: Strata " + ours + "; primary next_xid " + rs.getString(1) + " next_oid "
                    + rs.getLong(2) + " next_multi " + rs.getLong(3));
            assertThat(ours.nextXid()).isGreaterThanOrEqualTo(primaryNextXid);
            assertThat(Integer.toUnsignedLong(ours.nextOid())).isGreaterThanOrEqualTo(rs.getLong(2));
            assertThat(Integer.toUnsignedLong(ours.nextMulti())).isGreaterThanOrEqualTo(rs.getLong(3)).isGreaterThan(1);
            assertThat(Integer.toUnsignedLong(ours.nextMultiOffset())).isGreaterThanOrEqualTo(rs.getLong(4));
            assertThat(Integer.toUnsignedLong(ours.oldestXid())).isEqualTo(rs.getLong(5));
            assertThat(Integer.toUnsignedLong(ours.oldestMulti())).isEqualTo(rs.getLong(6));
        }
    }

    @Test
    void everyBlockRelationSizeAndClogPageMatchesThePrimaryAndPastLsnsReadAsTheyWere() throws Exception {
        assumeTrue(TestPrimary.available(), TestPrimary.installHint());
        try (TestPrimary pg = Workload.startPrimary()) {
            Workload.pgbenchInit(pg, Workload.scale());
            StrataNode node = StrataNode.inTemp();
            try {
                ReplicationService rs = node.replication;
                // the base backup is taken while pgbench writes: its pages are fuzzy until the WAL after it
                CompletableFuture<Void> during = CompletableFuture.runAsync(() -> pgbench(pg, 8));
                Timeline tl = rs.createFromPrimary(null, null, pg.conninfo(), "strata_it");
                during.join();
                List<TimeTravelSnapshot> snapshots = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    Workload.pgbenchRun(pg, Workload.seconds() / 3);
                    snapshots.add(TimeTravelSnapshot.take(pg, pg.scratchDir("tt" + i), "pgbench%"));
                }
                Workload.ddlMix(pg);
                pg.sql("CHECKPOINT");
                long target = pg.currentFlushLsn();
                tl.waitForLsn(target, Duration.ofMinutes(3));
                IngestStatus st = rs.status(tl.tenantId(), tl.timelineId());
                System.out.println("ingest status: " + st);
                assertThat(st.state()).isEqualTo("streaming");
                assertThat(st.importFilesDone()).isPositive().isEqualTo(st.importFilesTotal());
                assertThat(st.importBytesDone()).isPositive().isEqualTo(st.importBytesTotal());
                assertThat(st.recordsIngested()).isPositive();
                assertThat(st.lastRecordLsn()).isGreaterThanOrEqualTo(target);
                assertThat(st.flushedLsn()).isLessThanOrEqualTo(st.lastRecordLsn());
                DatadirComparison.Result r = DatadirComparison.compare(pg, new Datadir(tl), tl.lastRecordLsn());
                System.out.println("at " + Lsn.format(tl.lastRecordLsn()) + ": " + r.summary());
                assertThat(r.ok()).as(r.summary()).isTrue();
                checkpointStateCoversThePrimarys(pg, tl);
                for (TimeTravelSnapshot snap : snapshots) {
                    DatadirComparison.Result t = DatadirComparison.compareSnapshot(pg, snap.root(), new Datadir(tl),
                            snap.lsn());
                    System.out.println("time travel to " + Lsn.format(snap.lsn()) + ": " + t.summary());
                    assertThat(t.ok()).as(t.summary()).isTrue();
                    assertThat(t.blocks()).isPositive();
                }
            } finally {
                node.close();
            }
        }
    }
}

package dev.strata.it.ingest;

import dev.strata.it.TestPrimary;
import dev.strata.replication.IngestStatus;
import dev.strata.replication.ReplicationService;
import dev.strata.storage.pg.Lsn;
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
                DatadirComparison.Result r = DatadirComparison.compare(pg, new Datadir(tl), tl.lastRecordLsn());
                System.out.println("at " + Lsn.format(tl.lastRecordLsn()) + ": " + r.summary());
                assertThat(r.ok()).as(r.summary()).isTrue();
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

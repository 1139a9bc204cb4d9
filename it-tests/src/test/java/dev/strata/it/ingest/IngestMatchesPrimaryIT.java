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

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class IngestMatchesPrimaryIT {
    @Test
    void everyBlockRelationSizeAndClogPageMatchesThePrimaryAndPastLsnsReadAsTheyWere() throws Exception {
        assumeTrue(TestPrimary.available(), TestPrimary.installHint());
        try (TestPrimary pg = Workload.startPrimary()) {
            Workload.pgbenchInit(pg, Workload.scale());
            StrataNode node = StrataNode.inTemp();
            try {
                ReplicationService rs = node.replication;
                Timeline tl = rs.createFromPrimary(null, null, pg.conninfo(), "strata_it");
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
                java.nio.file.Files.write(java.nio.file.Path.of("target/ingest-mismatches.txt"), r.mismatches());
                assertThat(r.ok()).as(r.summary()).isTrue();
                for (TimeTravelSnapshot snap : snapshots) {
                    DatadirComparison.Result t = DatadirComparison.compareSnapshot(pg, snap.root(), new Datadir(tl),
                            snap.lsn());
                    System.out.println("time travel to " + Lsn.format(snap.lsn()) + ": " + t.summary());
                    assertThat(t.ok()).as(t.summary()).isTrue();
                    assertThat(t.blocks()).isPositive();
                }
            } finally {
                node.closeAndDelete();
            }
        }
    }
}

package dev.strata.it.ingest;

import dev.strata.it.TestPrimary;
import dev.strata.replication.IngestStatus;
import dev.strata.replication.ReplicationService;
import dev.strata.storage.pg.Lsn;
import dev.strata.storage.pgdata.Datadir;
import dev.strata.storage.timeline.Timeline;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class IngestMatchesPrimaryIT {
    @Test
    void everyBlockRelationSizeAndClogPageMatchesThePrimaryAfterPgbenchAndDdl() throws Exception {
        assumeTrue(TestPrimary.available(), TestPrimary.installHint());
        try (TestPrimary pg = Workload.startPrimary()) {
            Workload.pgbenchInit(pg, Workload.scale());
            StrataNode node = StrataNode.inTemp();
            try {
                ReplicationService rs = node.replication;
                Timeline tl = rs.createFromPrimary(null, null, pg.conninfo(), "strata_it");
                Workload.pgbenchRun(pg, Workload.seconds());
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
            } finally {
                node.closeAndDelete();
            }
        }
    }
}

package dev.strata.it.ingest;

import dev.strata.it.TestPrimary;
import dev.strata.replication.IngestStatus;
import dev.strata.storage.pg.Lsn;
import dev.strata.storage.pgdata.Datadir;
import dev.strata.storage.timeline.Timeline;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class IngestReconnectsTest {
    @Test
    void afterPrimaryRestartsAndACutConnectionItCatchesUpByItselfAndStillMatches() throws Exception {
        assumeTrue(TestPrimary.available(), TestPrimary.installHint());
        ExecutorService bg = Executors.newSingleThreadExecutor();
        try (TestPrimary pg = Workload.startPrimary(); StrataNode node = StrataNode.inTemp()) {
            Workload.pgbenchInit(pg, 1);
            Timeline tl = node.replication.createFromPrimary(null, null, pg.conninfo(), "strata_reconnect");
            CompletableFuture<Void> bench = CompletableFuture.runAsync(() -> pgbenchIgnoringErrors(pg, 4), bg);
            Thread.sleep(2000);
            pg.restart();
            bench.join();
            awaitReconnectedAndCaughtUp(pg, tl, node, 1);

            bench = CompletableFuture.runAsync(() -> pgbenchIgnoringErrors(pg, 4), bg);
            Thread.sleep(2000);
            pg.stopServer("immediate");
            pg.startAgain();
            bench.join();
            awaitReconnectedAndCaughtUp(pg, tl, node, 2);

            bench = CompletableFuture.runAsync(() -> pgbenchIgnoringErrors(pg, 4), bg);
            Thread.sleep(2000);
            String killed = pg.queryString("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_replication");
            assertThat(killed).isEqualTo("1");
            bench.join();
            awaitReconnectedAndCaughtUp(pg, tl, node, 3);
            Workload.ddlMix(pg);
            pg.sql("CHECKPOINT");
            awaitCaughtUp(pg, tl);
            IngestStatus st = node.replication.status(tl.tenantId(), tl.timelineId());
            System.out.println("after restarts and a cut: " + st);
            assertThat(st.state()).isIn("streaming", "catching-up");
            DatadirComparison.Result r = DatadirComparison.compare(pg, new Datadir(tl), tl.lastRecordLsn());
            System.out.println("at " + Lsn.format(tl.lastRecordLsn()) + ": " + r.summary());
            assertThat(r.ok()).as(r.summary()).isTrue();
        } finally {
            bg.shutdownNow();
        }
    }

    private static void awaitCaughtUp(TestPrimary pg, Timeline tl) throws Exception {
        tl.waitForLsn(pg.currentFlushLsn(), Duration.ofMinutes(2));
    }

    /** New WAL after the disruption must arrive, which needs a new connection. */
    private static void awaitReconnectedAndCaughtUp(TestPrimary pg, Timeline tl, StrataNode node, int round)
            throws Exception {
        // CHECKPOINT flushes the WAL (the test primary commits asynchronously) up to a record end
        pg.sql("CREATE TABLE after_disruption_" + round + " AS SELECT generate_series(1, 1000) AS id", "CHECKPOINT");
        awaitCaughtUp(pg, tl);
        IngestStatus st = node.replication.status(tl.tenantId(), tl.timelineId());
        System.out.println("after disruption " + round + ": " + st.state() + ", last error: " + st.lastError());
        assertThat(st.lastError()).as("the disruption was noticed").isNotNull();
    }

    /** pgbench loses its connections when the primary goes down; that is expected here. */
    private static void pgbenchIgnoringErrors(TestPrimary pg, int seconds) {
        try {
            Workload.pgbenchRun(pg, seconds);
        } catch (IOException e) {
            System.out.println("pgbench ended early: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }
}

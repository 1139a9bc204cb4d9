package dev.strata.it.ingest;

import dev.strata.it.TestPrimary;
import dev.strata.storage.pg.Lsn;
import dev.strata.storage.pgdata.Datadir;
import dev.strata.storage.redo.JavaPageRedo;
import dev.strata.storage.tenant.LocalTenantManager;
import dev.strata.storage.timeline.Timeline;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class IngestSurvivesSigkillTest {
    private static final String SLOT = "strata_crash";

    @Test
    void killedAtRandomMomentsItResumesFromItsDurableLsnWhichTheSlotNeverPasses() throws Exception {
        assumeTrue(TestPrimary.available(), TestPrimary.installHint());
        long seed = Long.getLong("strata.seed", System.nanoTime());
        System.out.println("IngestSurvivesSigkillTest seed=" + seed);
        Random rnd = new Random(seed);
        int kills = Workload.HEAVY ? 5 : 3;
        String tenant = HexFormat.of().formatHex(randomBytes(rnd));
        String timeline = HexFormat.of().formatHex(randomBytes(rnd));
        Path dataDir = Files.createTempDirectory("strata-crash-");
        Path log = dataDir.resolveSibling(dataDir.getFileName() + ".log");
        ExecutorService bg = Executors.newSingleThreadExecutor();
        try (TestPrimary pg = Workload.startPrimary()) {
            Workload.pgbenchInit(pg, Workload.scale());
            String conninfo = pg.conninfo();
            ChildProcess child = ChildProcess.start("create", dataDir, conninfo, SLOT, tenant, timeline, log);
            child.awaitReady(300);
            long firstRestart = slotRestartLsn(pg);
            CompletableFuture<Void> bench = CompletableFuture.runAsync(() -> pgbench(pg, kills * 4 + 4), bg);
            for (int i = 0; i < kills; i++) {
                Thread.sleep(500 + rnd.nextInt(3500));
                child.kill();
                long durable = durableLsn(dataDir, tenant, timeline);
                long restart = slotRestartLsn(pg);
                System.out.println("kill " + (i + 1) + ": slot restart_lsn " + Lsn.format(restart) + ", durable "
                        + Lsn.format(durable) + ", child had reached " + Lsn.format(child.lastRecordLsn()));
                assertThat(restart).as("slot restart_lsn vs Strata's durable LSN after kill " + (i + 1))
                        .isLessThanOrEqualTo(durable);
                child = ChildProcess.start("resume", dataDir, conninfo, SLOT, tenant, timeline, log);
                child.awaitReady(120);
            }
            bench.get();
            pg.sql("CHECKPOINT");
            long target = pg.currentFlushLsn();
            child.awaitLastRecord(target, 300);
            child.kill();
            long restart = slotRestartLsn(pg);
            assertThat(restart).isLessThanOrEqualTo(durableLsn(dataDir, tenant, timeline));
            assertThat(restart).as("the slot advanced with Strata's durable LSN").isGreaterThan(firstRestart);
            compareAfterResume(pg, dataDir, tenant, timeline, target);
        } finally {
            bg.shutdownNow();
            TestPrimary.deleteTree(dataDir);
            Files.deleteIfExists(log);
        }
    }

    private static void compareAfterResume(TestPrimary pg, Path dataDir, String tenant, String timeline, long target)
            throws Exception {
        try (StrataNode node = new StrataNode(dataDir)) {
            node.replication.resumeAll();
            Timeline tl = node.tenants.tenant(tenant).timeline(timeline);
            tl.waitForLsn(target, Duration.ofMinutes(3));
            DatadirComparison.Result r = DatadirComparison.compare(pg, new Datadir(tl), tl.lastRecordLsn());
            System.out.println("after " + "the kills, at " + Lsn.format(tl.lastRecordLsn()) + ": " + r.summary());
            assertThat(r.ok()).as(r.summary()).isTrue();
        }
    }

    private static byte[] randomBytes(Random rnd) {
        byte[] b = new byte[16];
        rnd.nextBytes(b);
        return b;
    }

    private static void pgbench(TestPrimary pg, int seconds) {
        try {
            Workload.pgbenchRun(pg, seconds);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static long durableLsn(Path dataDir, String tenant, String timeline) {
        try (LocalTenantManager tm = new LocalTenantManager(dataDir, StrataNode.config(), new JavaPageRedo())) {
            return tm.tenant(tenant).timeline(timeline).diskConsistentLsn();
        }
    }

    private static long slotRestartLsn(TestPrimary pg) throws java.sql.SQLException {
        String v = pg.queryString("SELECT restart_lsn FROM pg_replication_slots WHERE slot_name = '" + SLOT + "'");
        return Lsn.parse(v);
    }
}

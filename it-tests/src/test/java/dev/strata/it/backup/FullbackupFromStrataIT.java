package dev.strata.it.backup;

import dev.strata.it.TestPrimary;
import dev.strata.replication.ReplicationService;
import dev.strata.storage.pg.Lsn;
import dev.strata.storage.pgdata.Datadir;
import dev.strata.storage.redo.JavaPageRedo;
import dev.strata.storage.tenant.LocalTenantManager;
import dev.strata.storage.timeline.EngineConfig;
import dev.strata.storage.timeline.Timeline;
import dev.strata.wire.backup.BackupOptions;
import dev.strata.wire.backup.BackupWriter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The whole path: a primary streams into Strata (base backup import, WAL ingest, layer engine, Java redo), and
 * {@link BackupWriter} over {@link Datadir} builds data directories that stock PostgreSQL 15 starts from: at the
 * latest LSN, at an LSN recorded earlier (time travel), from a branch made at that LSN, and as a standby that
 * streams on from the primary.
 * pg_dump of every database must equal the primary's, taken at the same LSN with the primary quiesced.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FullbackupFromStrataIT {
    private TestPrimary pg;
    private Path strataDir;
    private LocalTenantManager tenants;
    private ReplicationService replication;
    private Timeline timeline;
    private long earlierLsn;
    private final Map<String, String> earlierDumps = new HashMap<>();
    private final Map<String, String> latestDumps = new HashMap<>();

    @BeforeAll
    void primaryStreamsIntoStrata() throws Exception {
        assumeTrue(TestPrimary.available(), TestPrimary.installHint());
        pg = TestPrimary.builder().initdbArg("--data-checksums").start();
        strataDir = Files.createTempDirectory("strata-backup-it-");
        tenants = new LocalTenantManager(strataDir, new EngineConfig().checkpointDistance(4 << 20)
                .checkpointTimeout(Duration.ofSeconds(2)), new JavaPageRedo());
        replication = new ReplicationService(tenants);
        timeline = replication.createFromPrimary(null, null, pg.conninfo(), "strata_backup_it");
        ClusterFixture.populate(pg, pg.scratchDir("tablespace").toString());
        earlierLsn = quiesce(earlierDumps);
        pg.sqlIn("app1", "UPDATE items SET name = 'later' WHERE id % 3 = 0", "DELETE FROM events WHERE id < 1000",
                "DROP MATERIALIZED VIEW item_stats", "CREATE TABLE later(a int PRIMARY KEY)",
                "INSERT INTO later SELECT generate_series(1, 3000)", "VACUUM items");
        quiesce(latestDumps);
    }

    /** Pins sequences to their WAL-logged value, checkpoints, waits for Strata, dumps every database. */
    private long quiesce(Map<String, String> dumps) throws Exception {
        ClusterFixture.pinSequences(pg);
        pg.sql("CHECKPOINT");
        long lsn = pg.currentFlushLsn();
        for (String db : ClusterFixture.DATABASES) {
            dumps.put(db, ClusterFixture.dump(pg, pg.port(), db));
        }
        timeline.waitForLsn(lsn, Duration.ofMinutes(3));
        return lsn;
    }

    @AfterAll
    void stopEverything() {
        if (replication != null) {
            replication.close();
        }
        if (tenants != null) {
            tenants.close();
        }
        if (strataDir != null) {
            TestPrimary.deleteTree(strataDir);
        }
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    void fullbackup_at_the_latest_lsn_starts_and_dumps_like_the_primary() throws Exception {
        Path tar = backup("latest.tar", timeline.lastRecordLsn(), timeline.prevRecordLsn(),
                BackupOptions.fullbackup());
        try (RestoredCluster copy = RestoredCluster.extract(pg, tar, "latest")) {
            assertThat(pg.tool("pg_checksums", "--check", "-D", copy.dataDir().toString()))
                    .contains("Bad checksums:  0");
            copy.start();
            for (String db : ClusterFixture.DATABASES) {
                assertThat(ClusterFixture.dump(pg, copy.port(), db)).as("pg_dump of " + db)
                        .isEqualTo(latestDumps.get(db));
            }
            assertThat(copy.tool("pg_amcheck", "--all", "--heapallindexed", "--install-missing", "-d",
                    "postgres")).isBlank();
            assertThat(copy.column("postgres", "SELECT gid FROM pg_prepared_xacts")).containsExactly("p1");
            copy.execute("postgres", "COMMIT PREPARED 'p1'", "CREATE TABLE written_after(a int)",
                    "INSERT INTO written_after SELECT generate_series(1, 100)", "CHECKPOINT");
            assertThat(copy.query("postgres", "SELECT count(*) FROM written_after")).isEqualTo("100");
        }
    }

    @Test
    void fullbackup_at_an_earlier_lsn_dumps_like_the_primary_did_then() throws Exception {
        Path tar = backup("earlier.tar", earlierLsn, 0, BackupOptions.fullbackup());
        try (RestoredCluster copy = RestoredCluster.extract(pg, tar, "earlier")) {
            copy.start();
            for (String db : ClusterFixture.DATABASES) {
                assertThat(ClusterFixture.dump(pg, copy.port(), db)).as("pg_dump of " + db + " at "
                        + Lsn.format(earlierLsn)).isEqualTo(earlierDumps.get(db));
            }
        }
    }

    @Test
    void fullbackup_of_a_branch_at_an_earlier_lsn_dumps_like_the_primary_did_then() throws Exception {
        Timeline branch = tenants.tenant(timeline.tenantId()).branch(timeline.timelineId(), null, earlierLsn);
        Path tar = pg.scratchDir("tars").resolve("branch.tar");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tar))) {
            new BackupWriter(new Datadir(branch), branch.lastRecordLsn(), branch.prevRecordLsn(),
                    BackupOptions.fullbackup()).writeTo(out);
        }
        try (RestoredCluster copy = RestoredCluster.extract(pg, tar, "branch")) {
            copy.start();
            for (String db : ClusterFixture.DATABASES) {
                assertThat(ClusterFixture.dump(pg, copy.port(), db)).as("pg_dump of " + db + " on the branch")
                        .isEqualTo(earlierDumps.get(db));
            }
        }
    }

    @Test
    void replica_from_strata_streams_on_from_the_primary() throws Exception {
        Path tar = backup("replica.tar", timeline.lastRecordLsn(), timeline.prevRecordLsn(),
                BackupOptions.fullbackup().withReplica(pg.conninfo()));
        try (RestoredCluster standby = RestoredCluster.extract(pg, tar, "standby")) {
            standby.start();
            pg.sqlIn("app2", "CREATE TABLE after_standby(a int)",
                    "INSERT INTO after_standby SELECT generate_series(1, 777)");
            pg.sql("CHECKPOINT");
            standby.awaitReplay(pg.currentFlushLsn());
            assertThat(standby.query("app2", "SELECT count(*) FROM after_standby")).isEqualTo("777");
            assertThat(ClusterFixture.dump(pg, standby.port(), "app1")).isEqualTo(ClusterFixture.dump(pg, pg.port(),
                    "app1"));
        }
    }

    private Path backup(String name, long lsn, long prev, BackupOptions opts) throws IOException {
        Path tar = pg.scratchDir("tars").resolve(name);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tar))) {
            new BackupWriter(new Datadir(timeline), lsn, prev, opts).writeTo(out);
        }
        return tar;
    }
}

package dev.strata.it.backup;

import dev.strata.it.TestPrimary;
import dev.strata.storage.pg.Lsn;
import dev.strata.storage.pgdata.DatadirView;
import dev.strata.wire.backup.BackupOptions;
import dev.strata.wire.backup.BackupWriter;
import dev.strata.wire.backup.ClusterDirectoryView;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Backups built by {@link BackupWriter} from the files of a cleanly shut-down primary (through
 * {@link ClusterDirectoryView}), started with stock PostgreSQL 15: as a copy of the primary at its shutdown
 * checkpoint, and as a standby that streams on from the primary.
 *
 * <p>The view hands out pages with their checksum field zeroed (as pages rebuilt by WAL redo would be), so that
 * the byte-for-byte comparison with the primary's files and pg_checksums also prove the checksums are recomputed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StockPostgresFromBackupIT {
    private TestPrimary pg;
    private Path snapshot;
    private Path fullTar;
    private Path replicaTar;
    private long checkpointLsn;
    private final Map<String, String> primaryDumps = new HashMap<>();

    @BeforeAll
    void takeBackupsOfAStoppedPrimary() throws Exception {
        assumeTrue(TestPrimary.available(), TestPrimary.installHint());
        pg = TestPrimary.builder().initdbArg("--data-checksums").start();
        Path ts = pg.scratchDir("tablespace");
        ClusterFixture.populate(pg, ts.toString());
        pg.sql("CHECKPOINT");
        for (String db : ClusterFixture.DATABASES) {
            primaryDumps.put(db, ClusterFixture.dump(pg, pg.port(), db));
        }
        pg.stopServer("fast");
        // a copy, so that the primary can run on while the tests read the files of its shutdown state
        snapshot = pg.scratchDir("snapshot").resolve("data");
        pg.run(List.of("cp", "-aL", pg.dataDir().toString(), snapshot.toString()), false);
        pg.startAgain();
        try (ClusterDirectoryView files = ClusterDirectoryView.open(snapshot)) {
            DatadirView view = withoutChecksums(files);
            checkpointLsn = files.checkpointLsn();
            fullTar = pg.scratchDir("tars").resolve("full.tar");
            write(new BackupWriter(view, checkpointLsn, files.prevRecordLsn(checkpointLsn),
                    BackupOptions.fullbackup()), fullTar);
            long end = files.endOfWalLsn();
            replicaTar = pg.scratchDir("tars").resolve("replica.tar");
            write(new BackupWriter(view, end, files.prevRecordLsn(end),
                    BackupOptions.fullbackup().withReplica(pg.conninfo())), replicaTar);
        }
    }

    @AfterAll
    void stopPrimary() {
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    void fullbackup_at_the_shutdown_checkpoint_starts_and_dumps_like_the_primary() throws Exception {
        try (RestoredCluster copy = RestoredCluster.extract(pg, fullTar, "restored")) {
            assertThat(pg.tool("pg_checksums", "--check", "-D", copy.dataDir().toString()))
                    .contains("Bad checksums:  0");
            copy.start();
            assertThat(copy.query("postgres", "SELECT count(*) FROM items WHERE name = 'in a subtransaction'"))
                    .isEqualTo("1");
            assertThat(copy.query("postgres", "SELECT pg_is_in_recovery()")).isEqualTo("f");
            assertThat(copy.logText()).doesNotContain("redo starts").doesNotContain("PANIC");
            for (String db : ClusterFixture.DATABASES) {
                assertThat(ClusterFixture.dump(pg, copy.port(), db)).as("pg_dump of " + db).isEqualTo(primaryDumps.get(db));
            }
            String amcheck = copy.tool("pg_amcheck", "--all", "--heapallindexed", "--install-missing", "-d",
                    "postgres");
            assertThat(amcheck).as("pg_amcheck reports nothing").isBlank();
            assertThat(copy.column("postgres", "SELECT gid FROM pg_prepared_xacts")).containsExactly("p1");
            copy.execute("postgres", "COMMIT PREPARED 'p1'");
            assertThat(copy.query("postgres", "SELECT count(*) FROM items WHERE name = 'prepared'")).isEqualTo("1");
            assertThat(copy.query("app1", "SELECT count(*) FROM scratch")).as("unlogged: empty, as after a crash")
                    .isEqualTo("0");
            copy.execute("app1", "INSERT INTO scratch VALUES (1, 'y')", "CREATE TABLE after_restore(a int)",
                    "INSERT INTO after_restore SELECT generate_series(1, 1000)", "CHECKPOINT");
            copy.stop();
            copy.start();
            assertThat(copy.query("app1", "SELECT count(*) FROM after_restore")).isEqualTo("1000");
            assertThat(copy.query("app2", "SELECT sum(a) FROM in_ts")).isEqualTo("2001000");
        }
    }

    @Test
    void fullbackup_tar_reads_back_with_commons_compress_and_equals_the_primarys_files() throws Exception {
        Map<String, byte[]> entries = new HashMap<>();
        List<String> order = new ArrayList<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(
                new BufferedInputStream(Files.newInputStream(fullTar)))) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                assertThat(e.isCheckSumOK()).as(e.getName()).isTrue();
                order.add(e.getName());
                if (e.isFile()) {
                    entries.put(e.getName(), in.readAllBytes());
                }
            }
        }
        assertThat(order.get(order.size() - 1)).isEqualTo("global/pg_control");
        TreeSet<String> expected = new TreeSet<>();
        for (String top : List.of("global", "base", "pg_xact", "pg_multixact", "pg_twophase", "pg_tblspc")) {
            try (Stream<Path> files = Files.walk(snapshot.resolve(top))) {
                files.filter(Files::isRegularFile).map(p -> snapshot.relativize(p).toString())
                        .filter(n -> !n.endsWith("pg_internal.init") && !n.equals("global/pg_control"))
                        .forEach(expected::add);
            }
        }
        List<String> unloggedForks = new ArrayList<>();
        for (String name : expected) {
            if (name.endsWith("_init")) {
                String main = name.substring(0, name.length() - "_init".length());
                assertThat(entries.get(main)).as(main + " is its init fork")
                        .isEqualTo(Files.readAllBytes(snapshot.resolve(name)));
                unloggedForks.add(main);
                unloggedForks.add(main + "_fsm");
                unloggedForks.add(main + "_vm");
            }
        }
        assertThat(unloggedForks).as("the fixture has unlogged relations").isNotEmpty();
        for (String name : expected) {
            if (unloggedForks.contains(name)) {
                continue;
            }
            assertThat(entries).as("tar entry " + name).containsKey(name);
            assertThat(entries.get(name)).as(name).isEqualTo(Files.readAllBytes(snapshot.resolve(name)));
        }
        assertThat(entries.keySet()).anyMatch(n -> n.startsWith("pg_multixact/members/"))
                .anyMatch(n -> n.startsWith("pg_twophase/")).anyMatch(n -> n.startsWith("pg_tblspc/"));
    }

    @Test
    void replica_streams_on_from_the_primary_and_reaches_its_latest_lsn() throws Exception {
        pg.sqlIn("app1", "CREATE TABLE after_backup(a int, b text)",
                "INSERT INTO after_backup SELECT g, md5(g::text) FROM generate_series(1, 5000) g",
                "UPDATE items SET name = 'changed' WHERE id < 100", "DELETE FROM events WHERE id % 3 = 0");
        try (RestoredCluster standby = RestoredCluster.extract(pg, replicaTar, "standby")) {
            standby.start();
            pg.sql("CHECKPOINT");
            standby.awaitReplay(pg.currentFlushLsn());
            assertThat(standby.query("postgres", "SELECT pg_is_in_recovery()")).isEqualTo("t");
            assertThat(standby.query("app1", "SELECT count(*) FROM after_backup")).isEqualTo("5000");
            for (String db : ClusterFixture.DATABASES) {
                assertThat(ClusterFixture.dump(pg, standby.port(), db)).as("pg_dump of " + db + " on the standby")
                        .isEqualTo(ClusterFixture.dump(pg, pg.port(), db));
            }
            // after a restartpoint the standby no longer depends on the synthetic checkpoint: it restarts
            standby.execute("postgres", "CHECKPOINT");
            standby.stop();
            standby.start();
            pg.sqlIn("app1", "INSERT INTO after_backup VALUES (0, 'after the standby restarted')");
            standby.awaitReplay(pg.currentFlushLsn());
            assertThat(standby.query("app1", "SELECT count(*) FROM after_backup")).isEqualTo("5001");
            assertThat(standby.logText()).doesNotContain("PANIC").contains("redo starts at "
                    + Lsn.format(checkpointLsn + 120));
        }
    }

    private static void write(BackupWriter writer, Path file) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
            writer.writeTo(out);
        }
    }

    /** The view with every page's pd_checksum zeroed. */
    private static DatadirView withoutChecksums(DatadirView view) {
        return (DatadirView) Proxy.newProxyInstance(DatadirView.class.getClassLoader(),
                new Class<?>[]{DatadirView.class}, (proxy, method, args) -> {
                    Object result;
                    try {
                        result = method.invoke(view, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                    if (method.getName().equals("relPage")) {
                        byte[] page = ((byte[]) result).clone();
                        page[8] = 0;
                        page[9] = 0;
                        return page;
                    }
                    return result;
                });
    }
}

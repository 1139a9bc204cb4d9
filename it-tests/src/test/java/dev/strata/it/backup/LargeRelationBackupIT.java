package dev.strata.it.backup;

import dev.strata.it.TestPrimary;
import dev.strata.wire.backup.BackupOptions;
import dev.strata.wire.backup.BackupWriter;
import dev.strata.wire.backup.ClusterDirectoryView;
import org.junit.jupiter.api.Test;

import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A relation of more than 1 GiB comes out of a fullbackup in PostgreSQL's segment files ({@code <relfilenode>.1})
 * and stock PostgreSQL reads all of it. Heavy (writes about 3 GiB): runs with {@code -Dstrata.heavy=true}.
 */
class LargeRelationBackupIT {
    @Test
    void relation_over_one_gibibyte_is_read_back_from_its_segment_files() throws Exception {
        assumeTrue(Boolean.getBoolean("strata.heavy"), "heavy test: run with -Dstrata.heavy=true");
        assumeTrue(TestPrimary.available(), TestPrimary.installHint());
        try (TestPrimary pg = TestPrimary.start()) {
            // fillfactor 10 leaves 90% of each heap page empty: about 1.1 GiB of pages from 1.6 million rows
            pg.sql("CREATE TABLE big(a int, b text) WITH (fillfactor = 10)",
                    "INSERT INTO big SELECT g, md5(g::text) FROM generate_series(1, 1600000) g",
                    "CREATE INDEX big_a ON big (a)", "CHECKPOINT");
            long blocks = Long.parseLong(pg.queryString("SELECT pg_relation_size('big') / 8192"));
            String file = pg.queryString("SELECT pg_relation_filepath('big')");
            assertThat(blocks).isGreaterThan(131072);
            String sum = pg.queryString("SELECT sum(a) FROM big");
            pg.stopServer("fast");
            Path tar = pg.scratchDir("tar").resolve("full.tar");
            try (ClusterDirectoryView view = ClusterDirectoryView.open(pg.dataDir());
                 OutputStream out = new BufferedOutputStream(Files.newOutputStream(tar))) {
                long lsn = view.checkpointLsn();
                new BackupWriter(view, lsn, view.prevRecordLsn(lsn), BackupOptions.fullbackup()).writeTo(out);
            }
            try (RestoredCluster copy = RestoredCluster.extract(pg, tar, "restored")) {
                Files.delete(tar);
                assertThat(Files.size(copy.dataDir().resolve(file))).isEqualTo(1L << 30);
                assertThat(Files.size(copy.dataDir().resolve(file + ".1"))).isEqualTo((blocks - 131072) * 8192);
                copy.start();
                assertThat(copy.query("postgres", "SELECT sum(a) FROM big")).isEqualTo(sum);
                assertThat(copy.query("postgres", "SELECT pg_relation_size('big') / 8192"))
                        .isEqualTo(Long.toString(blocks));
                assertThat(copy.tool("pg_amcheck", "--heapallindexed", "--install-missing", "-d", "postgres",
                        "-t", "big")).isBlank();
                assertThat(copy.column("postgres", "SELECT b FROM big WHERE a = 1599999"))
                        .isEqualTo(List.of(pg.run(List.of("sh", "-c", "printf 1599999 | md5sum | cut -c1-32"),
                                false).trim()));
            }
        }
    }
}

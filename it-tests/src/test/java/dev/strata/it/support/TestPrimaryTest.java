package dev.strata.it.support;

import dev.strata.it.TestPrimary;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class TestPrimaryTest {
    @Test
    void starts_with_replication_settings_and_leaves_nothing_behind() throws Exception {
        assumeTrue(TestPrimary.available(), TestPrimary.installHint());
        Path data;
        try (TestPrimary pg = TestPrimary.builder().setting("wal_compression", "lz4").start()) {
            data = pg.dataDir();
            assertThat(pg.queryString("SHOW wal_level")).isEqualTo("replica");
            assertThat(pg.queryString("SHOW wal_compression")).isEqualTo("lz4");
            assertThat(pg.queryString("SHOW server_version_num")).startsWith("15");
            assertThat(Integer.parseInt(pg.queryString("SHOW max_wal_senders"))).isPositive();
            pg.sql("CREATE TABLE t(a int)", "INSERT INTO t SELECT generate_series(1, 100)");
            assertThat(pg.queryString("SELECT count(*) FROM t")).isEqualTo("100");
            assertThat(pg.currentFlushLsn()).isPositive();
        }
        assertThat(Files.exists(data)).isFalse();
    }
}

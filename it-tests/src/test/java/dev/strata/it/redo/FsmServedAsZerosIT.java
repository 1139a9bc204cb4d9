package dev.strata.it.redo;

import dev.strata.it.TestPrimary;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What Strata serves for free-space-map blocks the WAL holds no image of is an all-zero page (see the
 * {@code dev.strata.storage.redo} package documentation). This shows PostgreSQL 15 working on such an FSM: a
 * table's FSM fork replaced by zeros reads as "no free space known", inserts and queries still work, and VACUUM
 * rebuilds the free-space figures.
 */
class FsmServedAsZerosIT {
    @Test
    void postgresRunsOnAnAllZeroFsmAndVacuumRebuildsIt() throws Exception {
        Assumptions.assumeTrue(TestPrimary.available(), TestPrimary.installHint());
        try (TestPrimary pg = TestPrimary.builder().setting("autovacuum", "off").start()) {
            pg.sql("CREATE EXTENSION pg_freespacemap",
                    "CREATE TABLE f (id int, pad text)",
                    "INSERT INTO f SELECT g, repeat('x', 200) FROM generate_series(1, 5000) g",
                    "DELETE FROM f WHERE id % 2 = 0",
                    "VACUUM f");
            long before = Long.parseLong(pg.queryString("SELECT sum(avail) FROM pg_freespace('f')"));
            assertThat(before).as("free space recorded by VACUUM").isPositive();
            Path fsm = pg.dataDir().resolve(pg.queryString("SELECT pg_relation_filepath('f')") + "_fsm");
            pg.sql("CHECKPOINT");
            pg.stopServer("fast");
            long size = Files.size(fsm);
            assertThat(size).isPositive();
            Files.write(fsm, new byte[(int) size]);
            pg.startAgain();

            assertThat(pg.queryString("SELECT coalesce(sum(avail), 0) FROM pg_freespace('f')")).isEqualTo("0");
            pg.sql("INSERT INTO f SELECT g, 'after' FROM generate_series(5001, 6000) g");
            assertThat(pg.queryString("SELECT count(*) FROM f")).isEqualTo("3500");
            pg.sql("VACUUM f");
            long after = Long.parseLong(pg.queryString("SELECT sum(avail) FROM pg_freespace('f')"));
            assertThat(after).as("free space rebuilt by VACUUM").isPositive();
        }
    }
}

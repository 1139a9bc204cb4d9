package dev.strata.it.redo;

import dev.strata.it.TestPrimary;
import dev.strata.server.cli.RedoVerifyCommand;
import dev.strata.storage.pg.Lsn;
import dev.strata.storage.redo.RmgrRegistry;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code strata redo-verify} on a primary run with wal_consistency_checking=all: from its pg_wal with
 * {@code --path}, and streamed over physical replication with {@code --primary}.
 */
class RedoVerifyCommandIT {
    private record Run(int exit, String out) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            int exit = new CommandLine(new RedoVerifyCommand()).execute(args);
            return new Run(exit, buf.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(old);
        }
    }

    @Test
    void verifiesAWalDirectoryAndExitsNonZeroOnRecordsWithoutRedo() throws Exception {
        Assumptions.assumeTrue(TestPrimary.available(), TestPrimary.installHint());
        try (TestPrimary pg = TestPrimary.builder().setting("wal_consistency_checking", "all")
                .setting("autovacuum", "off").start()) {
            pg.sql("SELECT pg_create_physical_replication_slot('cli', true)", "CREATE TABLE t (a int, b text)",
                    "CHECKPOINT");
            long start = pg.currentInsertLsn();
            pg.sql("INSERT INTO t SELECT g, 'row ' || g FROM generate_series(1, 3000) g",
                    "UPDATE t SET b = b || '+' WHERE a % 4 = 0",
                    "DELETE FROM t WHERE a % 9 = 0",
                    "VACUUM t");
            long heapEnd = pg.currentInsertLsn();
            pg.sql("CREATE INDEX t_a ON t (a)", "INSERT INTO t VALUES (5000, 'indexed')");
            long end = pg.currentInsertLsn();
            pg.sql("SELECT pg_switch_wal()");

            Run heap = run("--path", pg.walDir().toString(), "--start", Lsn.format(start), "--end", Lsn.format(heapEnd));
            System.out.print(heap.out());
            assertThat(heap.exit()).isZero();
            assertThat(heap.out()).contains("Heap/INSERT").contains("Heap2/VISIBLE").contains("TOTAL")
                    .doesNotContain("MISMATCH");

            Run streamed = run("--primary", pg.conninfo(), "--slot", "cli", "--start", Lsn.format(start), "--end",
                    Lsn.format(heapEnd), "--idle", "5");
            assertThat(streamed.exit()).isZero();
            assertThat(streamed.out()).as("streaming from the primary gives the same table as reading pg_wal")
                    .isEqualTo(heap.out());

            Run all = run("--path", pg.walDir().toString(), "--start", Lsn.format(start), "--end", Lsn.format(end));
            boolean btree = RmgrRegistry.standard(false).isRegistered(11);
            assertThat(all.exit()).isEqualTo(btree ? 0 : 1);
            if (!btree) {
                assertThat(all.out()).contains("UNSUPPORTED LSN").contains("Btree/");
            }

            assertThat(run("--path", pg.walDir().toString(), "--start", Lsn.format(end), "--end",
                    Lsn.format(start)).exit()).isEqualTo(2);
        }
    }
}

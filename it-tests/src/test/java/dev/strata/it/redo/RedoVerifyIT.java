package dev.strata.it.redo;

import dev.strata.it.TestPrimary;
import dev.strata.storage.key.Key;
import dev.strata.storage.pg.Lsn;
import dev.strata.storage.redo.RecordTypes;
import dev.strata.storage.redo.RmgrRegistry;
import dev.strata.storage.redo.verify.Mismatch;
import dev.strata.storage.redo.verify.RedoVerifier;
import dev.strata.storage.redo.verify.TypeStats;
import dev.strata.storage.redo.verify.VerifyReport;
import dev.strata.storage.wal.DecodedRecord;
import dev.strata.storage.wal.WalSegmentReader;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real primary with {@code wal_consistency_checking=all} runs {@link RedoWorkload}; every block of every checked
 * record is then replayed by Strata from the previous version seen in the WAL and compared with the primary's
 * after-image under PostgreSQL's masks. What the masks hide is checked on whole files: the pg_xact, pg_multixact
 * and visibility-map pages Strata rebuilds from the WAL (a snapshot taken after a checkpoint at the start, plus the
 * values the records give those keys) must equal the primary's files byte for byte after a final checkpoint.
 *
 * <p>Resource managers Strata has no redo for yet are listed, not asserted; once every page rmgr is registered,
 * zero unsupported records overall is asserted too. {@code -Dstrata.heavy=true} triples the row counts.
 */
class RedoVerifyIT {
    private static final int[] PAGE_RMGRS = {0, 9, 10, 11, 12, 13, 14, 15, 16, 17, 20};

    /** wal_log_hints goes with lz4, so that one run also has FPI_FOR_HINT records and logged VISIBLE heap pages. */
    @ParameterizedTest(name = "wal_compression={0}")
    @ValueSource(strings = {"off", "lz4"})
    void everyCheckedBlockMatchesThePrimarysAfterImage(String compression) throws Exception {
        boolean hints = compression.equals("lz4");
        Assumptions.assumeTrue(TestPrimary.available(), TestPrimary.installHint());
        int scale = Boolean.getBoolean("strata.heavy") ? 3 : 1;
        long t0 = System.nanoTime();
        try (TestPrimary pg = TestPrimary.builder().setting("wal_consistency_checking", "all")
                .setting("wal_compression", compression).setting("wal_log_hints", hints ? "on" : "off")
                .setting("autovacuum", "off").start()) {
            pg.sql("SELECT pg_create_physical_replication_slot('strata_redo_it', true)", "CHECKPOINT");
            long start = pg.currentInsertLsn();
            Map<Key, byte[]> slruBefore = SlruRebuild.read(pg.dataDir());
            Map<Key, byte[]> vmBefore = VmRebuild.read(pg.dataDir());
            new RedoWorkload(pg, scale).run();
            pg.sql("CHECKPOINT");
            long end = pg.currentFlushLsn();
            Map<Key, byte[]> slruAfter = SlruRebuild.read(pg.dataDir());
            Map<Key, byte[]> vmAfter = VmRebuild.read(pg.dataDir());

            RedoVerifier verifier = new RedoVerifier(hints, 20);
            SlruRebuild slru = new SlruRebuild(slruBefore);
            VmRebuild vm = new VmRebuild(vmBefore);
            try (WalSegmentReader reader = WalSegmentReader.open(pg.walDir(), 0, start, end)) {
                for (DecodedRecord rec = reader.next(); rec != null; rec = reader.next()) {
                    verifier.accept(rec);
                    slru.accept(rec);
                    vm.accept(rec);
                }
            }
            report(compression + (hints ? ", wal_log_hints=on" : ""), start, end, verifier, t0);
            assertRedoMatches(verifier);
            assertThat(slru.applied()).as("SLRU values applied").isPositive();
            assertThat(slru.differences(slruAfter)).as("pg_xact / pg_multixact pages rebuilt from WAL").isEmpty();
            assertThat(vm.applied()).as("VM values applied").isPositive();
            List<String> vmDiffs = new ArrayList<>();
            for (String d : vm.differences(vmAfter)) {
                String relfilenode = d.substring(d.lastIndexOf('/') + 1, d.indexOf("_vm"));
                vmDiffs.add(d + " (" + pg.queryString("SELECT relname FROM pg_class WHERE relfilenode = "
                        + relfilenode) + ")");
            }
            assertThat(vmDiffs).as("visibility-map pages rebuilt from WAL").isEmpty();
            System.out.printf("VM pages equal to the primary's files: %d, plus %d empty ones created without WAL%n",
                    vmAfter.size() - vm.createdWithoutWal(), vm.createdWithoutWal());
        }
    }

    private static void assertRedoMatches(RedoVerifier verifier) {
        RmgrRegistry registry = RmgrRegistry.standard(false);
        List<String> registeredProblems = new ArrayList<>();
        Map<String, Long> unregistered = new TreeMap<>();
        verifier.stats().forEach((label, s) -> {
            String rmgr = label.substring(0, label.indexOf('/'));
            boolean registered = isRegistered(registry, rmgr);
            if (s.mismatched() > 0 || registered && s.unsupported() > 0) {
                registeredProblems.add(label + ": " + s.mismatched() + " mismatched, " + s.unsupported()
                        + " unsupported");
            } else if (!registered && s.unsupported() > 0) {
                unregistered.merge(rmgr, s.unsupported(), Long::sum);
            }
        });
        verifier.mismatches().forEach(m -> System.out.println("MISMATCH " + m.describe()));
        System.out.println("resource managers without redo yet (checked blocks not verified): " + unregistered);
        assertThat(registeredProblems).as("mismatched or unsupported blocks of implemented rmgrs").isEmpty();
        assertThat(verifier.total(TypeStats::verified)).isGreaterThan(1000);
        boolean allPageRmgrs = true;
        for (int rmid : PAGE_RMGRS) {
            allPageRmgrs &= registry.isRegistered(rmid);
        }
        if (allPageRmgrs) {
            assertThat(verifier.total(TypeStats::unsupported)).as("unsupported blocks overall").isZero();
        }
    }

    private static boolean isRegistered(RmgrRegistry registry, String rmgrName) {
        for (int rmid = 0; rmid < 22; rmid++) {
            if (RecordTypes.rmgrName(rmid).equals(rmgrName)) {
                return registry.isRegistered(rmid);
            }
        }
        return false;
    }

    private static void report(String compression, long start, long end, RedoVerifier v, long t0) {
        System.out.printf("redo-verify wal_compression=%s, WAL %s..%s, %d records, %.1f s%n", compression,
                Lsn.format(start), Lsn.format(end), v.totalRecords(), (System.nanoTime() - t0) / 1e9);
        System.out.print(VerifyReport.table(v));
        for (Mismatch m : v.mismatches()) {
            System.out.println("  " + m.describe());
        }
    }
}

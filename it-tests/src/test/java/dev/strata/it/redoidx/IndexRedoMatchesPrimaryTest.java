package dev.strata.it.redoidx;

import dev.strata.it.TestPrimary;
import dev.strata.storage.pg.Lsn;
import dev.strata.storage.redo.verify.Mismatch;
import dev.strata.storage.redo.verify.RedoVerifier;
import dev.strata.storage.redo.verify.TypeStats;
import dev.strata.storage.wal.DecodedRecord;
import dev.strata.storage.wal.WalSegmentReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real PostgreSQL 15 primary runs with {@code wal_consistency_checking=all} through {@link IndexWorkload}, once
 * per {@code wal_compression} setting. The WAL it wrote is fed to {@link RedoVerifier}, which replays every record
 * block by block with Strata's redo and compares each result with the primary's own after-image under
 * PostgreSQL's masks, and to {@link ChainedIndexRedo}, which does the same comparison on pages Strata rebuilds only
 * from its own earlier results. Every page-changing record type of btree, hash, GIN, GiST, SP-GiST and BRIN must
 * appear; none may mismatch, be unsupported or lack a base page.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IndexRedoMatchesPrimaryTest {
    /** Every record type of the six index resource managers that changes a page in PostgreSQL 15. */
    static final List<String> PAGE_RECORD_TYPES = List.of(
            "Btree/INSERT_LEAF", "Btree/INSERT_UPPER", "Btree/INSERT_META", "Btree/SPLIT_L", "Btree/SPLIT_R",
            "Btree/INSERT_POST", "Btree/DEDUP", "Btree/DELETE", "Btree/UNLINK_PAGE", "Btree/UNLINK_PAGE_META",
            "Btree/NEWROOT", "Btree/MARK_PAGE_HALFDEAD", "Btree/VACUUM", "Btree/META_CLEANUP",
            "Hash/INIT_META_PAGE", "Hash/INIT_BITMAP_PAGE", "Hash/INSERT", "Hash/ADD_OVFL_PAGE",
            "Hash/SPLIT_ALLOCATE_PAGE", "Hash/SPLIT_PAGE", "Hash/SPLIT_COMPLETE", "Hash/MOVE_PAGE_CONTENTS",
            "Hash/SQUEEZE_PAGE", "Hash/DELETE", "Hash/SPLIT_CLEANUP", "Hash/UPDATE_META_PAGE",
            "Hash/VACUUM_ONE_PAGE",
            "Gin/CREATE_PTREE", "Gin/INSERT", "Gin/SPLIT", "Gin/VACUUM_PAGE", "Gin/DELETE_PAGE",
            "Gin/UPDATE_META_PAGE", "Gin/INSERT_LISTPAGE", "Gin/DELETE_LISTPAGE", "Gin/VACUUM_DATA_LEAF_PAGE",
            "Gist/PAGE_UPDATE", "Gist/DELETE", "Gist/PAGE_SPLIT", "Gist/PAGE_DELETE",
            "SPGist/ADD_LEAF", "SPGist/MOVE_LEAFS", "SPGist/ADD_NODE", "SPGist/SPLIT_TUPLE", "SPGist/PICKSPLIT",
            "SPGist/VACUUM_LEAF", "SPGist/VACUUM_ROOT", "SPGist/VACUUM_REDIRECT",
            "BRIN/CREATE_INDEX", "BRIN/INSERT", "BRIN/INSERT+INIT", "BRIN/UPDATE", "BRIN/UPDATE+INIT",
            "BRIN/SAMEPAGE_UPDATE", "BRIN/REVMAP_EXTEND", "BRIN/DESUMMARIZE");
    private static final boolean HEAVY = Boolean.getBoolean("strata.heavy");
    private static final List<String> INDEX_RMGRS = List.of("Btree/", "Hash/", "Gin/", "Gist/", "SPGist/",
            "BRIN/");

    private TestPrimary pg;

    @BeforeAll
    void startPrimary() throws Exception {
        assumeTrue(TestPrimary.available(), TestPrimary.installHint());
        pg = TestPrimary.builder().setting("wal_consistency_checking", "all").setting("autovacuum", "off")
                .setting("full_page_writes", "on").setting("wal_keep_size", "8GB").setting("max_wal_size", "8GB")
                .start();
    }

    @AfterAll
    void stopPrimary() {
        if (pg != null) {
            pg.close();
        }
    }

    /** off and lz4; with {@code -Dstrata.heavy=true} also pglz and zstd, each with a larger workload. */
    static Stream<String> compressions() {
        return HEAVY ? Stream.of("off", "lz4", "pglz", "zstd") : Stream.of("off", "lz4");
    }

    @ParameterizedTest(name = "wal_compression={0}")
    @MethodSource("compressions")
    void every_index_record_replays_to_the_primarys_own_page(String compression) throws Exception {
        pg.sql("ALTER SYSTEM SET wal_compression = '" + compression + "'", "SELECT pg_reload_conf()");
        assertThat(pg.queryString("SHOW wal_compression")).isEqualTo(compression);
        assertThat(pg.queryString("SHOW wal_consistency_checking")).isEqualTo("all");
        pg.sql("CHECKPOINT");
        long start = pg.currentInsertLsn();
        long t0 = System.nanoTime();
        IndexWorkload.run(pg, compression, HEAVY);
        long end = pg.currentInsertLsn();
        pg.sql("CHECKPOINT");
        long t1 = System.nanoTime();

        RedoVerifier verifier = new RedoVerifier(false, 20);
        ChainedIndexRedo chained = new ChainedIndexRedo();
        try (WalSegmentReader reader = WalSegmentReader.open(pg.walDir(), 0, start, end)) {
            DecodedRecord r;
            while ((r = reader.next()) != null) {
                verifier.accept(r);
                chained.accept(r);
            }
        }
        long t2 = System.nanoTime();
        Map<String, TypeStats> index = new TreeMap<>(verifier.stats().entrySet().stream()
                .filter(e -> INDEX_RMGRS.stream().anyMatch(e.getKey()::startsWith))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
        System.out.printf("wal_compression=%s: WAL %s..%s (%d MB, %d records), workload %.1f s, verify %.1f s,"
                        + " %d blocks compared on Strata's own chain%n%s", compression, Lsn.format(start),
                Lsn.format(end), (end - start) >> 20, verifier.totalRecords(), (t1 - t0) / 1e9, (t2 - t1) / 1e9,
                chained.compared(), table(index));

        List<String> mismatches = verifier.mismatches().stream()
                .filter(m -> INDEX_RMGRS.stream().anyMatch(m.recordType()::startsWith))
                .map(Mismatch::describe).collect(Collectors.toList());
        assertThat(mismatches).as("index blocks that did not replay to the primary's page").isEmpty();
        assertThat(index.values().stream().mapToLong(TypeStats::mismatched).sum()).isZero();
        assertThat(index.values().stream().mapToLong(TypeStats::unsupported).sum()).isZero();
        assertThat(index.values().stream().mapToLong(TypeStats::withoutBase).sum()).as("blocks without a base")
                .isZero();
        assertThat(chained.failures()).as("blocks where Strata's own chain of pages left the primary's").isEmpty();
        assertThat(index.keySet()).containsAll(PAGE_RECORD_TYPES);
        assertThat(index.values().stream().mapToLong(TypeStats::verified).sum()).isGreaterThan(10_000);
    }

    private static String table(Map<String, TypeStats> stats) {
        StringBuilder sb = new StringBuilder(String.format("%-28s %8s %9s %10s %11s %12s%n", "rmgr/record type",
                "records", "verified", "mismatched", "unsupported", "without base"));
        stats.forEach((k, v) -> sb.append(String.format("%-28s %8d %9d %10d %11d %12d%n", k, v.records(),
                v.verified(), v.mismatched(), v.unsupported(), v.withoutBase())));
        return sb.toString();
    }
}

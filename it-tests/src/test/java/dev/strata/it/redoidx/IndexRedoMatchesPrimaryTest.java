package dev.strata.it.redoidx;

import dev.strata.it.TestPrimary;
import dev.strata.storage.pg.Lsn;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real PostgreSQL 15 primary runs with {@code wal_consistency_checking=all} through {@link IndexWorkload}, once
 * per {@code wal_compression} setting; every index record in the WAL it wrote is replayed by Strata's redo block by
 * block and compared with the primary's own after-image under PostgreSQL's masks ({@link IndexRedoCheck}), both
 * from the previous after-image and from Strata's own previous result. Every page-changing record type of btree,
 * hash, GIN, GiST, SP-GiST and BRIN must appear, none may mismatch, and every block must have had a base page.
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

    @ParameterizedTest(name = "wal_compression={0}")
    @ValueSource(strings = {"off", "lz4"})
    void every_index_record_replays_to_the_primarys_own_page(String compression) throws Exception {
        pg.sql("ALTER SYSTEM SET wal_compression = '" + compression + "'", "SELECT pg_reload_conf()");
        assertThat(pg.queryString("SHOW wal_compression")).isEqualTo(compression);
        assertThat(pg.queryString("SHOW wal_consistency_checking")).isEqualTo("all");
        pg.sql("CHECKPOINT");
        long start = pg.currentInsertLsn();
        long t0 = System.nanoTime();
        IndexWorkload.run(pg, compression);
        long end = pg.currentInsertLsn();
        pg.sql("CHECKPOINT");
        long t1 = System.nanoTime();

        IndexRedoCheck check = new IndexRedoCheck(Path.of("target", "redoidx-mismatch", compression));
        check.run(pg.walDir(), start, end);
        long t2 = System.nanoTime();
        System.out.printf("wal_compression=%s: WAL %s..%s (%d MB), workload %.1f s, check %.1f s%n%s", compression,
                Lsn.format(start), Lsn.format(end), (end - start) >> 20, (t1 - t0) / 1e9, (t2 - t1) / 1e9,
                check.table());
        if (!check.failures().isEmpty()) {
            fail("%d blocks did not replay to the primary's page; first ones:%n%s",
                    check.total(c -> c.mismatched), String.join("\n", check.failures().subList(0,
                            Math.min(20, check.failures().size()))));
        }
        if (!check.chainedFailures().isEmpty()) {
            System.out.println("chained rebuild left the primary's page at:\n  "
                    + String.join("\n  ", check.chainedFailures()));
        }
        assertThat(check.counts().keySet()).containsAll(PAGE_RECORD_TYPES);
        assertThat(check.total(c -> c.noBase)).as("blocks without a base page").isZero();
        assertThat(check.chainedFailures()).as("blocks where Strata's own chain of pages left the primary's")
                .isEmpty();
        assertThat(check.total(c -> c.verified)).isGreaterThan(10_000);
    }
}

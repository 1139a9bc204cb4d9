package dev.strata.it.wire;

import dev.strata.it.TestPrimary;
import dev.strata.server.StrataServer;
import dev.strata.server.config.ServerConfig;
import dev.strata.server.config.Setting;
import dev.strata.storage.pg.Lsn;
import dev.strata.storage.pg.RelTag;
import dev.strata.storage.redo.Masks;
import dev.strata.storage.timeline.Timeline;
import dev.strata.wire.client.PageStreamClient;
import dev.strata.wire.client.PageStreamClient.Response;
import dev.strata.wire.client.PgWireClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The page service of a whole Strata server that imports and streams from a live primary: a request for an LSN the
 * primary has just written waits for ingest and then returns the new page; after a checkpoint, v2 and v3 answers
 * for a heap and its btree index agree with the primary's files under PostgreSQL's masks (hint bits and other
 * unlogged changes), and pg_xact agrees byte for byte.
 */
class LivePageServiceIT {
    private static final int RM_HEAP_ID = 10;
    private static final int RM_BTREE_ID = 11;

    @TempDir
    Path dir;

    @Test
    void page_service_of_a_streaming_timeline_waits_for_wal_and_agrees_with_the_primary() throws Exception {
        assumeTrue(TestPrimary.available(), TestPrimary.installHint());
        try (TestPrimary pg = TestPrimary.start()) {
            pg.sql("CREATE TABLE t(id int PRIMARY KEY, v text)",
                    "INSERT INTO t SELECT g, repeat('a', g % 300) FROM generate_series(1, 20000) g");
            ServerConfig config = ServerConfig.forTests(dir.resolve("strata")).set(Setting.PRIMARY, pg.conninfo(),
                    "test").set(Setting.SLOT, "strata_wire_it", "test").build();
            try (StrataServer server = StrataServer.start(config)) {
                Timeline tl = server.defaultTimeline();
                int db = Integer.parseInt(pg.queryString("SELECT oid FROM pg_database WHERE datname = 'postgres'"));
                RelTag heap = new RelTag(1663, db, Integer.parseInt(pg.queryString(
                        "SELECT pg_relation_filenode('t')")), 0);
                RelTag index = new RelTag(1663, db, Integer.parseInt(pg.queryString(
                        "SELECT pg_relation_filenode('t_pkey')")), 0);
                try (PgWireClient conn = PgWireClient.connect("127.0.0.1", server.pgPort())) {
                    PageStreamClient v3 = conn.pageStream(3, tl.tenantId(), tl.timelineId());
                    waitsForWalNotYetIngested(pg, v3, heap);
                    pg.sql("UPDATE t SET v = v || 'x' WHERE id % 7 = 0", "DELETE FROM t WHERE id % 11 = 0",
                            "VACUUM t", "CHECKPOINT");
                    long target = pg.currentFlushLsn();
                    compare(pg, v3, heap, RM_HEAP_ID, target);
                    compare(pg, v3, index, RM_BTREE_ID, target);
                    v3.slruSegment(9, target, target, 0, 0);
                    v3.flush();
                    Response clog = v3.read();
                    byte[] file = Files.readAllBytes(pg.dataDir().resolve("pg_xact/0000"));
                    int pages = Math.min(clog.nblocks(), file.length / 8192);
                    assertThat(pages).isPositive();
                    assertThat(Arrays.copyOf(clog.data(), pages * 8192)).isEqualTo(Arrays.copyOf(file, pages * 8192));
                    v3.end();
                }
                try (PgWireClient conn = PgWireClient.connect("127.0.0.1", server.pgPort())) {
                    compare(pg, conn.pageStream(2, tl.tenantId(), tl.timelineId()), heap, RM_HEAP_ID,
                            pg.currentFlushLsn());
                }
            }
        }
    }

    /** Writes on the primary and at once asks for the page at the new LSN: the answer comes when ingest has it. */
    private static void waitsForWalNotYetIngested(TestPrimary pg, PageStreamClient ps, RelTag heap) throws Exception {
        pg.sql("UPDATE t SET v = 'fresh-value-after-the-import' WHERE id = 1");
        long lsn = pg.currentInsertLsn();
        int block = (int) Double.parseDouble(pg.queryString("SELECT (ctid::text::point)[0] FROM t WHERE id = 1"));
        ps.getPage(7, lsn, lsn, heap, block);
        ps.flush();
        Response r = ps.read();
        assertThat(r.isError()).as(r.error()).isFalse();
        assertThat(r.reqId()).isEqualTo(7);
        assertThat(new String(r.data(), java.nio.charset.StandardCharsets.ISO_8859_1))
                .contains("fresh-value-after-the-import");
    }

    private static void compare(TestPrimary pg, PageStreamClient ps, RelTag rel, int rmid, long lsn)
            throws Exception {
        int blocks = (int) (Files.size(file(pg, rel)) / 8192);
        ps.exists(1, lsn, lsn, rel);
        ps.nblocks(2, lsn, lsn, rel);
        for (int b = 0; b < blocks; b++) {
            ps.getPage(100 + b, lsn, lsn, rel, b);
        }
        ps.flush();
        assertThat(ps.read().exists()).isTrue();
        Response n = ps.read();
        assertThat(n.nblocks()).as("Nblocks of %s: %s", rel, n.error()).isEqualTo(blocks);
        for (int b = 0; b < blocks; b++) {
            Response r = ps.read();
            assertThat(r.isError()).as("GetPage %s %d: %s", rel, b, r.error()).isFalse();
            assertThat(masked(r.data(), rmid, b)).as("%s block %d", rel, b)
                    .isEqualTo(masked(page(pg, rel, b), rmid, b));
        }
    }

    private static Path file(TestPrimary pg, RelTag rel) {
        return pg.dataDir().resolve("base/" + rel.dbNode() + "/" + rel.relNode());
    }

    private static byte[] page(TestPrimary pg, RelTag rel, int blkno) throws IOException {
        byte[] page = new byte[8192];
        try (RandomAccessFile f = new RandomAccessFile(file(pg, rel).toFile(), "r")) {
            f.seek((long) blkno * 8192);
            f.readFully(page);
        }
        return page;
    }

    private static byte[] masked(byte[] page, int rmid, int blkno) {
        byte[] copy = page.clone();
        Masks.mask(rmid, copy, blkno);
        return copy;
    }
}

package dev.strata.it.wire;

import dev.strata.it.TestPrimary;
import dev.strata.storage.pg.Lsn;
import dev.strata.storage.pg.RelTag;
import dev.strata.storage.pgdata.Datadir;
import dev.strata.storage.pgdata.DatadirModification;
import dev.strata.storage.redo.JavaPageRedo;
import dev.strata.storage.tenant.LocalTenantManager;
import dev.strata.storage.timeline.EngineConfig;
import dev.strata.storage.timeline.Tenant;
import dev.strata.storage.timeline.Timeline;
import dev.strata.wire.PgServer;
import dev.strata.wire.PgServerConfig;
import dev.strata.wire.backup.ClusterDirectoryView;
import dev.strata.wire.client.PageStreamClient;
import dev.strata.wire.client.PageStreamClient.Response;
import dev.strata.wire.client.PgWireClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The page service against a real primary's pages: a stopped primary's data directory is copied into a real
 * engine timeline; every answer is compared with the primary's own files.
 */
class PageServiceIT {
    @RegisterExtension
    static final ClusterExtension CLUSTER = new ClusterExtension();

    private static WireCluster c;
    private static SnapshotFiles files;
    private static Map<RelTag, Integer> relations;

    @BeforeAll
    static void setUp() throws Exception {
        c = CLUSTER.cluster();
        files = new SnapshotFiles(c.snapshot);
        relations = files.relations();
    }

    private static PgWireClient connect() throws Exception {
        return PgWireClient.connect("127.0.0.1", c.port());
    }

    @ParameterizedTest(name = "pagestream v{0}")
    @ValueSource(ints = {2, 3})
    void exists_nblocks_and_every_page_agree_with_the_primary_files(int version) throws Exception {
        try (PgWireClient conn = connect()) {
            PageStreamClient ps = conn.pageStream(version, c.tenantId, c.timelineId);
            List<RelTag> rels = new ArrayList<>(relations.keySet());
            long reqId = 0;
            for (RelTag rel : rels) {
                ps.exists(reqId++, Lsn.MAX, c.lsn, rel);
                ps.nblocks(reqId++, Lsn.MAX, c.lsn, rel);
            }
            ps.flush();
            for (RelTag rel : rels) {
                assertThat(ps.read().exists()).as("exists %s", rel).isTrue();
                Response n = ps.read();
                assertThat(n.tag()).as("nblocks %s: %s", rel, n.error()).isEqualTo(101);
                assertThat(n.nblocks()).as("nblocks %s", rel).isEqualTo(relations.get(rel));
            }
            List<long[]> pages = new ArrayList<>();
            for (RelTag rel : rels) {
                for (int b = 0; b < relations.get(rel); b++) {
                    pages.add(new long[]{rels.indexOf(rel), b});
                }
            }
            CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
                try {
                    long id = 0;
                    for (long[] p : pages) {
                        ps.getPage(id++, c.lsn, c.lsn, rels.get((int) p[0]), (int) p[1]);
                    }
                    ps.flush();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            for (int i = 0; i < pages.size(); i++) {
                Response r = ps.read();
                RelTag rel = rels.get((int) pages.get(i)[0]);
                int blk = (int) pages.get(i)[1];
                assertThat(r.tag()).as("GetPage %s %d: %s", rel, blk, r.error()).isEqualTo(102);
                if (version == 3) {
                    assertThat(r.reqId()).isEqualTo(i);
                }
                assertThat(r.data()).as("page %s block %d", rel, blk).isEqualTo(files.page(rel, blk));
            }
            sender.join();
            ps.end();
            assertThat(pages.size()).isGreaterThan(1000);
        }
    }

    @Test
    void db_size_and_slru_segments_agree_with_the_primary_files() throws Exception {
        try (PgWireClient conn = connect()) {
            PageStreamClient ps = conn.pageStream(3, c.tenantId, c.timelineId);
            for (Path db : Files.list(files.dataDir().resolve("base")).toList()) {
                int dbNode = Integer.parseInt(db.getFileName().toString());
                long expected = relations.entrySet().stream().filter(e -> e.getKey().spcNode() == 1663
                        && e.getKey().dbNode() == dbNode).mapToLong(e -> e.getValue() * 8192L).sum();
                ps.dbSize(dbNode, Lsn.MAX, c.lsn, dbNode);
                ps.flush();
                Response r = ps.read();
                assertThat(r.reqId()).isEqualTo(dbNode);
                assertThat(r.dbSize()).as("DbSize of %d", dbNode).isEqualTo(expected);
            }
            String[] dirs = {"pg_xact", "pg_multixact/members", "pg_multixact/offsets"};
            for (int kind = 0; kind < 3; kind++) {
                if (!Files.exists(files.dataDir().resolve(dirs[kind]).resolve("0000"))) {
                    continue;
                }
                ps.slruSegment(kind, Lsn.MAX, c.lsn, kind, 0);
                ps.flush();
                Response r = ps.read();
                assertThat(r.tag()).as("%s: %s", dirs[kind], r.error()).isEqualTo(105);
                assertThat(r.data()).as(dirs[kind]).isEqualTo(files.slru(dirs[kind], 0));
                assertThat(r.nblocks()).isEqualTo(r.data().length / 8192);
            }
            ps.end();
        }
    }

    @Test
    void ten_thousand_pipelined_getpage_requests_return_in_order() throws Exception {
        List<RelTag> rels = relations.keySet().stream().filter(r -> relations.get(r) > 0).toList();
        int n = 10_000;
        try (PgWireClient conn = connect()) {
            PageStreamClient ps = conn.pageStream(3, c.tenantId, c.timelineId);
            CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < n; i++) {
                        RelTag rel = rels.get(i % rels.size());
                        ps.getPage(i, Lsn.MAX, c.lsn, rel, i % relations.get(rel));
                    }
                    ps.flush();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            for (int i = 0; i < n; i++) {
                Response r = ps.read();
                assertThat(r.reqId()).isEqualTo(i);
                RelTag rel = rels.get(i % rels.size());
                assertThat(r.data()).isEqualTo(files.page(rel, i % relations.get(rel)));
            }
            sender.join();
        }
    }

    @Test
    void missing_relation_wrong_tenant_and_lsn_before_the_timeline_get_103_and_the_stream_goes_on()
            throws Exception {
        RelTag some = relations.keySet().iterator().next();
        RelTag missing = new RelTag(1663, 5, 999_999, 0);
        try (PgWireClient conn = connect()) {
            PageStreamClient ps = conn.pageStream(2, c.tenantId, c.timelineId);
            ps.exists(0, Lsn.MAX, c.lsn, missing);
            ps.nblocks(0, Lsn.MAX, c.lsn, missing);
            ps.getPage(0, c.lsn - 0x100, c.lsn - 0x100, some, 0);
            ps.getPage(0, Lsn.MAX, c.lsn, some, 0);
            ps.flush();
            assertThat(ps.read().exists()).isFalse();
            assertThat(ps.read().error()).contains("1663/5/999999").contains("does not exist");
            assertThat(ps.read().error()).contains("before the start of timeline " + c.timelineId);
            assertThat(ps.read().data()).isEqualTo(files.page(some, 0));
        }
        try (PgWireClient conn = connect()) {
            String other = "0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f";
            PageStreamClient ps = conn.pageStream(3, other, c.timelineId);
            ps.getPage(41, Lsn.MAX, c.lsn, some, 0);
            ps.flush();
            Response r = ps.read();
            assertThat(r.isError()).isTrue();
            assertThat(r.reqId()).isEqualTo(41);
            assertThat(r.error()).contains("tenant " + other + " not found");
            ps.getPage(42, Lsn.MAX, c.lsn, some, 0);
            ps.flush();
            assertThat(ps.read().reqId()).isEqualTo(42);
            ps.end();
            assertThat(conn.query("tenant list").get(0).rows()).isNotEmpty();
        }
    }

    @Test
    void request_below_the_gc_cutoff_gets_103_naming_the_cutoff() throws Exception {
        Path dir = Files.createTempDirectory("strata-gc-it-");
        EngineConfig cfg = new EngineConfig().withSmallLimitsForTests().gcPeriod(java.time.Duration.ZERO)
                .compactionPeriod(java.time.Duration.ZERO);
        try (LocalTenantManager tm = new LocalTenantManager(dir, cfg, new JavaPageRedo());
             ClusterDirectoryView view = ClusterDirectoryView.open(c.snapshot)) {
            Tenant t = tm.createTenant(null);
            Timeline tl = t.createTimeline(null, view.endOfWalLsn());
            DatadirCopy.copy(view, view.endOfWalLsn(), view.checkpointLsn(), tl);
            RelTag rel = relations.keySet().stream().filter(r -> r.spcNode() == 1663 && relations.get(r) > 0)
                    .findFirst().orElseThrow();
            long lsn = view.endOfWalLsn();
            byte[] page = files.page(rel, 0);
            for (int i = 1; i <= 8; i++) {
                long next = lsn + 0x10000;
                DatadirModification mod = new DatadirModification(tl);
                mod.begin(next);
                mod.putRelImage(rel, 0, page);
                mod.commit(lsn);
                lsn = next;
            }
            tl.checkpoint();
            tl.gc();
            long cutoff = tl.gcCutoffLsn();
            assumeTrue(cutoff > view.endOfWalLsn(), "the engine kept its GC cutoff at " + Lsn.format(cutoff));
            try (PgServer s = PgServer.builder().tenants(tm).datadirViews(Datadir::new)
                    .meterRegistry(new SimpleMeterRegistry())
                    .config(PgServerConfig.defaults().withListen("127.0.0.1", 0)).build().start();
                 PgWireClient conn = PgWireClient.connect("127.0.0.1", s.port())) {
                PageStreamClient ps = conn.pageStream(3, t.tenantId(), tl.timelineId());
                ps.getPage(1, view.endOfWalLsn(), view.endOfWalLsn(), rel, 0);
                ps.getPage(2, Lsn.MAX, lsn, rel, 0);
                ps.flush();
                Response r = ps.read();
                assertThat(r.error()).contains("garbage collected").contains("GC cutoff " + Lsn.format(cutoff));
                assertThat(ps.read().data()).isEqualTo(page);
            }
        } finally {
            TestPrimary.deleteTree(dir);
        }
    }

    /** Gives the test class the shared cluster (skipping when PostgreSQL 15 is not installed). */
    static final class ClusterExtension implements org.junit.jupiter.api.extension.BeforeAllCallback {
        private ExtensionContext context;

        @Override
        public void beforeAll(ExtensionContext ctx) {
            assumeTrue(TestPrimary.available(), TestPrimary.installHint());
            context = ctx;
        }

        WireCluster cluster() {
            return WireCluster.get(context);
        }
    }
}

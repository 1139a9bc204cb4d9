package dev.strata.it.wire;

import dev.strata.it.TestPrimary;
import dev.strata.storage.pg.Lsn;
import dev.strata.storage.pgdata.Datadir;
import dev.strata.storage.redo.JavaPageRedo;
import dev.strata.storage.tenant.LocalTenantManager;
import dev.strata.storage.timeline.EngineConfig;
import dev.strata.storage.timeline.Tenant;
import dev.strata.storage.timeline.Timeline;
import dev.strata.wire.PgServer;
import dev.strata.wire.PgServerConfig;
import dev.strata.wire.backup.ClusterDirectoryView;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The world the wire integration tests share (built once per test JVM): a real PostgreSQL 15 primary with data in
 * two databases, stopped cleanly once to take a snapshot (a copy of its data directory and a pg_dump of each
 * database), then running again; a real layer-engine timeline holding exactly that snapshot (copied through the
 * ingest write path); and a {@link PgServer} on a free loopback port serving it with trust auth.
 */
final class WireCluster implements ExtensionContext.Store.CloseableResource {
    private static final Logger LOG = LoggerFactory.getLogger(WireCluster.class);
    static final List<String> DATABASES = List.of("postgres", "shop");

    final TestPrimary primary;
    final Path snapshot;
    final Map<String, String> dumps = new LinkedHashMap<>();
    final Path engineDir;
    final LocalTenantManager tenants;
    final String tenantId;
    final String timelineId;
    final Timeline timeline;
    final long lsn;
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final PgServer server;

    /** The shared cluster, made on first use and closed when the test JVM's root context closes. */
    static WireCluster get(ExtensionContext ctx) {
        return ctx.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(WireCluster.class, k -> {
                    try {
                        return new WireCluster();
                    } catch (Exception e) {
                        throw new IllegalStateException("setting up the wire test cluster failed: " + e, e);
                    }
                }, WireCluster.class);
    }

    private WireCluster() throws Exception {
        long t0 = System.nanoTime();
        primary = TestPrimary.builder().start();
        populate(primary);
        for (String db : DATABASES) {
            dumps.put(db, dump(primary, primary.port(), db));
        }
        primary.stopServer("fast");
        snapshot = primary.scratchDir("snapshot");
        primary.run(List.of("cp", "-a", primary.dataDir() + "/.", snapshot.toString()), true);
        primary.startAgain();

        engineDir = Files.createTempDirectory("strata-wire-it-");
        tenants = new LocalTenantManager(engineDir, new EngineConfig(), new JavaPageRedo());
        Tenant tenant = tenants.createTenant(null);
        tenantId = tenant.tenantId();
        long blocks;
        try (ClusterDirectoryView view = ClusterDirectoryView.open(snapshot)) {
            lsn = view.endOfWalLsn();
            timeline = tenant.createTimeline(null, lsn);
            blocks = DatadirCopy.copy(view, lsn, view.checkpointLsn(), timeline);
        }
        timelineId = timeline.timelineId();
        server = PgServer.builder().tenants(tenants).datadirViews(Datadir::new).meterRegistry(meters)
                .config(PgServerConfig.defaults().withListen("127.0.0.1", 0)).build().start();
        LOG.info("wire test cluster: {} blocks at {} in tenant {} timeline {}, pg port {} ({} ms)", blocks,
                Lsn.format(lsn), tenantId, timelineId, server.port(), (System.nanoTime() - t0) / 1_000_000);
    }

    static void populate(TestPrimary pg) throws Exception {
        pg.sql("CREATE DATABASE shop");
        pg.sql("CREATE TABLE big(id int PRIMARY KEY, payload text, n numeric)",
                "INSERT INTO big SELECT g, md5(g::text) || repeat('x', g % 200), g * 1.5 FROM generate_series(1, 30000) g",
                "CREATE INDEX big_payload ON big (payload)",
                "DELETE FROM big WHERE id % 11 = 0",
                "VACUUM big",
                "CREATE SEQUENCE seq",
                "SELECT nextval('seq') FROM generate_series(1, 10)",
                "CREATE UNLOGGED TABLE scratch(a int)",
                "INSERT INTO scratch SELECT generate_series(1, 100)");
        pg.sqlIn("shop", "CREATE TABLE orders(id serial PRIMARY KEY, item text, qty int)",
                "INSERT INTO orders(item, qty) SELECT 'item ' || g, g % 17 FROM generate_series(1, 5000) g",
                "CREATE INDEX orders_item ON orders USING hash (item)");
        pg.sql("CHECKPOINT");
    }

    /**
     * pg_dump of one database, without unlogged tables' data (a backup, like a standby, has them empty) and without
     * the random {@code \restrict} key lines pg_dump 15.14+ writes, so dumps of equal data compare equal.
     */
    static String dump(TestPrimary pg, int port, String db) throws IOException {
        String out = pg.tool("pg_dump", "-h", "127.0.0.1", "-p", Integer.toString(port), "-U", "postgres",
                "--no-sync", "--no-unlogged-table-data", db);
        return out.lines().filter(l -> !l.startsWith("\\restrict ") && !l.startsWith("\\unrestrict "))
                .collect(java.util.stream.Collectors.joining("\n"));
    }

    /** The pg port's address for tools: {@code -h 127.0.0.1 -p <port>}. */
    int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.stop();
        tenants.close();
        primary.close();
        TestPrimary.deleteTree(engineDir);
    }
}

package dev.strata.it.wire;

import dev.strata.it.TestPrimary;
import dev.strata.storage.pgdata.Datadir;
import dev.strata.wire.PgServer;
import dev.strata.wire.PgServerConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Backups through the pg port with stock tools: pg_basebackup (default options and variants) and the Neon-style
 * commands through psql; the restored directories start on stock postgres and dump like the primary did.
 */
class BackupsIT {
    @RegisterExtension
    static final PageServiceIT.ClusterExtension CLUSTER = new PageServiceIT.ClusterExtension();

    private static WireCluster c;
    private static PgServer server;
    private static Map<String, String> pgoptions;

    @BeforeAll
    static void setUp() throws Exception {
        c = CLUSTER.cluster();
        ImportingBackend backend = new ImportingBackend(c.primary);
        backend.setDefaultTimeline(c.timeline);
        server = PgServer.builder().tenants(c.tenants).datadirViews(Datadir::new).backend(backend)
                .meterRegistry(new SimpleMeterRegistry())
                .config(PgServerConfig.defaults().withListen("127.0.0.1", 0)).build().start();
        pgoptions = Map.of("PGOPTIONS", "-c strata.tenant=" + c.tenantId + " -c strata.timeline=" + c.timelineId);
    }

    @AfterAll
    static void tearDown() {
        if (server != null) {
            server.stop();
        }
    }

    private static void assertSameData(Restored r) throws IOException {
        for (String db : WireCluster.DATABASES) {
            assertThat(r.dump(db)).as("pg_dump of %s", db).isEqualTo(c.dumps.get(db));
        }
    }

    private static Path basebackup(String name, Map<String, String> env, String... args) throws IOException {
        Path dir = c.primary.scratchDir("bb-" + name);
        TestPrimary.deleteTree(dir);
        List<String> all = new ArrayList<>(List.of("-D", dir.toString()));
        all.addAll(List.of(args));
        Psql.Result r = Psql.tool("pg_basebackup", server.port(), "strata", env, all.toArray(new String[0]));
        assertThat(r.exit()).as("pg_basebackup %s:\n%s", String.join(" ", args), r.out()).isZero();
        return dir;
    }

    @Test
    void pg_basebackup_with_default_options_restores_a_cluster_that_dumps_like_the_primary() throws Exception {
        Path dir = basebackup("default", pgoptions);
        assertThat(dir.resolve("backup_manifest")).exists();
        assertThat(dir.resolve("backup_label")).doesNotExist();
        try (Restored r = Restored.start(c.primary, dir)) {
            assertSameData(r);
            assertThat(r.amcheck()).doesNotContainIgnoringCase("corrupt");
        }
    }

    @Test
    void pg_basebackup_fetch_mode_from_the_default_timeline_passes_pg_verifybackup() throws Exception {
        Path dir = basebackup("fetch", Map.of(), "-X", "fetch", "-c", "fast", "-P", "--manifest-checksums=SHA256");
        Psql.Result v = new Psql.Result(0, c.primary.tool("pg_verifybackup", "-n", dir.toString()));
        assertThat(v.out()).contains("backup successfully verified");
        try (Restored r = Restored.start(c.primary, dir)) {
            assertThat(r.dump("shop")).isEqualTo(c.dumps.get("shop"));
        }
    }

    @Test
    void pg_basebackup_without_wal_and_with_server_side_gzip_writes_a_valid_tar() throws Exception {
        Path dir = basebackup("tar", pgoptions, "-X", "none", "-F", "t", "--compress=server-gzip", "--no-manifest");
        Path tar = dir.resolve("base.tar.gz");
        assertThat(tar).exists();
        List<String> names = new ArrayList<>();
        try (InputStream in = new GZIPInputStream(Files.newInputStream(tar));
             TarArchiveInputStream t = new TarArchiveInputStream(in)) {
            TarArchiveEntry e;
            while ((e = t.getNextEntry()) != null) {
                names.add(e.getName());
            }
        }
        assertThat(names).contains("global/pg_control", "PG_VERSION").anyMatch(n -> n.startsWith("pg_wal/0000"));
        assertThat(names.get(names.size() - 1)).isEqualTo("global/pg_control");
    }

    @Test
    void fullbackup_through_psql_restores_and_basebackup_gzip_is_neon_shaped() throws Exception {
        Path out = c.primary.scratchDir("full").resolve("full.tar");
        Psql.Result r = Psql.run(server.port(), "strata", Map.of(), "-o", out.toString(), "-c",
                "fullbackup " + c.tenantId + " " + c.timelineId);
        assertThat(r.exit()).as(r.out()).isZero();
        Path dir = c.primary.scratchDir("full-restored");
        c.primary.run(List.of("tar", "-xf", out.toString(), "-C", dir.toString()), false);
        try (Restored restored = Restored.start(c.primary, dir)) {
            assertSameData(restored);
        }

        Path gz = c.primary.scratchDir("neon").resolve("base.tar.gz");
        r = Psql.run(server.port(), "strata", Map.of(), "-o", gz.toString(), "-c",
                "basebackup " + c.tenantId + " " + c.timelineId + " latest --gzip");
        assertThat(r.exit()).as(r.out()).isZero();
        byte[] bytes = Files.readAllBytes(gz);
        assertThat(bytes[0] & 0xFF).isEqualTo(0x1F);
        List<String> names = new ArrayList<>();
        try (TarArchiveInputStream t = new TarArchiveInputStream(new GZIPInputStream(
                new ByteArrayInputStream(bytes)))) {
            TarArchiveEntry e;
            while ((e = t.getNextEntry()) != null) {
                names.add(e.getName());
            }
        }
        assertThat(names).contains("neon.signal", "global/pg_control", "global/pg_filenode.map");
    }

    @Test
    void backup_errors_name_what_to_do() throws Exception {
        Psql.Result r = Psql.run(server.port(), "strata", Map.of(), "-c",
                "fullbackup " + c.tenantId + " " + c.timelineId + " 0/1");
        assertThat(r.exit()).isNotZero();
        assertThat(r.out()).contains("below the").contains("request an LSN at or above");
        r = Psql.run(server.port(), "strata", Map.of(), "-c",
                "basebackup " + c.tenantId + " " + c.timelineId + " --replica");
        assertThat(r.out()).contains("has no primary to stream from");
        r = Psql.tool("pg_basebackup", server.port(), "strata", Map.of("PGOPTIONS", "-c strata.tenant=" + c.tenantId),
                "-D", c.primary.scratchDir("bad").resolve("x").toString());
        assertThat(r.exit()).isNotZero();
        assertThat(r.out()).contains("strata.tenant and strata.timeline must be given together");
    }
}

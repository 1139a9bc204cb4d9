package dev.strata.it.wire;

import dev.strata.storage.pgdata.Datadir;
import dev.strata.wire.PgServer;
import dev.strata.wire.PgServerConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** TLS on the pg port with a configured certificate: libpq verifies it; plaintext clients still get 'N'. */
class TlsIT {
    @RegisterExtension
    static final PageServiceIT.ClusterExtension CLUSTER = new PageServiceIT.ClusterExtension();

    @Test
    void psql_connects_over_tls_verifying_the_certificate_and_without_tls_when_it_asks_for_none() throws Exception {
        WireCluster c = CLUSTER.cluster();
        Path dir = Files.createTempDirectory("strata-tls");
        Path cert = dir.resolve("server.crt");
        Path key = dir.resolve("server.key");
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-subj", "/CN=127.0.0.1", "-keyout", key.toString(), "-out", cert.toString())
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assumeTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "openssl could not make a certificate");
        try (PgServer s = PgServer.builder().tenants(c.tenants).datadirViews(Datadir::new)
                .meterRegistry(new SimpleMeterRegistry())
                .config(PgServerConfig.defaults().withListen("127.0.0.1", 0).withTls(cert, key)).build().start()) {
            Psql.Result tls = Psql.run(s.port(), "strata", Map.of("PGSSLMODE", "verify-ca", "PGSSLROOTCERT",
                    cert.toString()), "-c", "tenant list");
            assertThat(tls.exit()).as(tls.out()).isZero();
            assertThat(tls.out()).contains(c.tenantId);
            Psql.Result plain = Psql.run(s.port(), "strata", Map.of("PGSSLMODE", "disable"), "-c", "tenant list");
            assertThat(plain.exit()).as(plain.out()).isZero();
        } finally {
            Files.deleteIfExists(cert);
            Files.deleteIfExists(key);
            Files.deleteIfExists(dir);
        }
        try (PgServer s = PgServer.builder().tenants(c.tenants).datadirViews(Datadir::new)
                .meterRegistry(new SimpleMeterRegistry())
                .config(PgServerConfig.defaults().withListen("127.0.0.1", 0)).build().start()) {
            Psql.Result required = Psql.run(s.port(), "strata", Map.of("PGSSLMODE", "require"), "-c", "tenant list");
            assertThat(required.exit()).isNotZero();
            assertThat(required.out()).contains("server does not support SSL");
        }
    }
}

package dev.strata.it.wire;

import dev.strata.storage.pgdata.Datadir;
import dev.strata.wire.PgServer;
import dev.strata.wire.PgServerConfig;
import dev.strata.wire.auth.AuthConfig;
import dev.strata.wire.auth.JwtVerifier;
import dev.strata.wire.auth.ScramUsers;
import dev.strata.wire.auth.ScramVerifier;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Base64;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** SCRAM-SHA-256 and JWT authentication with libpq (psql) and pgjdbc as the clients. */
class AuthIT {
    @RegisterExtension
    static final PageServiceIT.ClusterExtension CLUSTER = new PageServiceIT.ClusterExtension();

    private static WireCluster c;

    @BeforeAll
    static void setUp() {
        c = CLUSTER.cluster();
    }

    private static PgServer server(AuthConfig auth) throws Exception {
        return PgServer.builder().tenants(c.tenants).datadirViews(Datadir::new).auth(auth)
                .meterRegistry(new SimpleMeterRegistry())
                .config(PgServerConfig.defaults().withListen("127.0.0.1", 0)).build().start();
    }

    @Test
    void scram_users_file_lets_the_right_password_in_and_refuses_a_wrong_one() throws Exception {
        Path file = Files.createTempFile("strata-users", ".txt");
        Files.writeString(file, "# Strata users\nalice:" + ScramVerifier.generate("correct horse", 4096).format()
                + "\n");
        try (PgServer s = server(AuthConfig.scram(ScramUsers.load(file)))) {
            Psql.Result ok = Psql.run(s.port(), "alice", Map.of("PGPASSWORD", "correct horse"), "-c", "tenant list");
            assertThat(ok.exit()).as(ok.out()).isZero();
            assertThat(ok.out()).contains(c.tenantId);
            Psql.Result wrong = Psql.run(s.port(), "alice", Map.of("PGPASSWORD", "battery staple"), "-c",
                    "tenant list");
            assertThat(wrong.exit()).isNotZero();
            assertThat(wrong.out()).contains("password authentication failed for user \"alice\"");
            Psql.Result unknown = Psql.run(s.port(), "bob", Map.of("PGPASSWORD", "correct horse"), "-c",
                    "tenant list");
            assertThat(unknown.out()).contains("password authentication failed for user \"bob\"");

            Properties p = new Properties();
            p.setProperty("user", "alice");
            p.setProperty("password", "correct horse");
            String url = "jdbc:postgresql://127.0.0.1:" + s.port() + "/postgres";
            try (Connection conn = DriverManager.getConnection(url, p);
                 ResultSet rs = conn.createStatement().executeQuery("tenant list")) {
                assertThat(rs.next()).isTrue();
            }
            p.setProperty("password", "nope");
            assertThatThrownBy(() -> DriverManager.getConnection(url, p)).isInstanceOf(SQLException.class)
                    .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("28P01");
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void a_tenant_token_cannot_open_another_tenant() throws Exception {
        KeyPair keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        Path pem = Files.createTempFile("strata-jwt", ".pem");
        Files.writeString(pem, "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(
                keys.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n");
        String other = c.tenants.createTenant(null).tenantId();
        try (PgServer s = server(AuthConfig.jwt(JwtVerifier.fromPath(pem)))) {
            String tokenA = token(keys, "{\"scope\":\"tenant\",\"tenant_id\":\"" + c.tenantId + "\"}");
            Map<String, String> env = Map.of("PGPASSWORD", tokenA);
            Psql.Result own = Psql.run(s.port(), "compute", env, "-c", "timeline list " + c.tenantId);
            assertThat(own.exit()).as(own.out()).isZero();
            assertThat(own.out()).contains(c.timelineId);
            Psql.Result foreign = Psql.run(s.port(), "compute", env, "-c", "timeline list " + other);
            assertThat(foreign.exit()).isNotZero();
            assertThat(foreign.out()).contains("does not grant access to tenant " + other);
            Psql.Result stream = Psql.run(s.port(), "compute", env, "-c", "pagestream_v3 " + other + " "
                    + c.timelineId);
            assertThat(stream.out()).contains("does not grant access to tenant " + other);
            Psql.Result list = Psql.run(s.port(), "compute", env, "-A", "-t", "-c", "tenant list");
            assertThat(list.out().lines().filter(l -> !l.isBlank()).toList())
                    .allMatch(l -> l.startsWith(c.tenantId));

            String admin = token(keys, "{\"scope\":\"pageserverapi\"}");
            Psql.Result all = Psql.run(s.port(), "ops", Map.of("PGPASSWORD", admin), "-c", "timeline list " + other);
            assertThat(all.exit()).as(all.out()).isZero();
            Psql.Result forged = Psql.run(s.port(), "x", Map.of("PGPASSWORD", tokenA.substring(0,
                    tokenA.length() - 4) + "AAAA"), "-c", "tenant list");
            assertThat(forged.out()).contains("JWT authentication failed");
        } finally {
            Files.deleteIfExists(pem);
        }
    }

    private static String token(KeyPair keys, String claims) throws Exception {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String signed = b64.encodeToString("{\"alg\":\"EdDSA\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8))
                + "." + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
        Signature sig = Signature.getInstance("Ed25519");
        sig.initSign(keys.getPrivate());
        sig.update(signed.getBytes(StandardCharsets.US_ASCII));
        return signed + "." + b64.encodeToString(sig.sign());
    }
}

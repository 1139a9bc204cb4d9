package dev.strata.wire.auth;

import dev.strata.wire.PgServer;
import dev.strata.wire.PgServerConfig;
import dev.strata.wire.client.PgWireClient;
import dev.strata.wire.client.PgWireException;
import dev.strata.wire.testkit.LeakCheck;
import dev.strata.wire.testkit.MemoryDatadir;
import dev.strata.wire.testkit.MemoryTenants;
import dev.strata.wire.testkit.MemoryTimeline;
import dev.strata.wire.testkit.TestTokens;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.InetSocketAddress;
import java.security.KeyPair;
import java.time.Clock;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(LeakCheck.class)
class AuthOverTcpTest {
    private static final String A = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private static final String B = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    private static final String TL = "cccccccccccccccccccccccccccccccc";

    private static PgServer server(AuthConfig auth, MemoryTenants tenants) throws Exception {
        return PgServer.builder().tenants(tenants).datadirViews(tl -> new MemoryDatadir((MemoryTimeline) tl))
                .meterRegistry(new SimpleMeterRegistry()).auth(auth)
                .config(PgServerConfig.defaults().withListen("127.0.0.1", 0)).build().start();
    }

    @Test
    void scram_accepts_the_right_password_and_refuses_a_wrong_one_or_an_unknown_user() throws Exception {
        ScramUsers users = ScramUsers.parse(List.of("alice:" + ScramVerifier.generate("s3cret", 4096).format()),
                "users");
        try (PgServer s = server(AuthConfig.scram(users), new MemoryTenants())) {
            try (PgWireClient c = PgWireClient.connect("127.0.0.1", s.port(), "alice", "s3cret", Map.of())) {
                assertThat(c.query("tenant list")).hasSize(1);
            }
            assertThatThrownBy(() -> PgWireClient.connect("127.0.0.1", s.port(), "alice", "wrong", Map.of()))
                    .isInstanceOf(PgWireException.class).hasMessageContaining("password authentication failed")
                    .extracting(e -> ((PgWireException) e).sqlState()).isEqualTo("28P01");
            assertThatThrownBy(() -> PgWireClient.connect("127.0.0.1", s.port(), "mallory", "s3cret", Map.of()))
                    .hasMessageContaining("password authentication failed for user \"mallory\"");
            assertThatThrownBy(() -> PgWireClient.connect("127.0.0.1", s.port(), "alice", null, Map.of()))
                    .hasMessageContaining("asks for a password");
        }
    }

    @Test
    void tenant_token_reaches_its_tenant_only() throws Exception {
        KeyPair keys = TestTokens.keyPair();
        MemoryTenants tenants = new MemoryTenants();
        tenants.createTenant(A).createTimeline(TL, 0x1000000);
        tenants.createTenant(B).createTimeline(TL, 0x1000000);
        AuthConfig auth = AuthConfig.jwt(new JwtVerifier(List.of(keys.getPublic()), Clock.systemUTC()));
        try (PgServer s = server(auth, tenants)) {
            try (PgWireClient c = PgWireClient.connect("127.0.0.1", s.port(), "compute", TestTokens.tenantToken(
                    keys.getPrivate(), A), Map.of())) {
                List<List<String>> rows = c.query("tenant list").get(0).rows();
                assertThat(rows).extracting(r -> r.get(0)).containsExactly(A);
                assertThat(c.query("timeline list " + A).get(0).rows()).hasSize(1);
                assertThatThrownBy(() -> c.query("timeline list " + B)).hasMessageContaining("42501")
                        .hasMessageContaining("does not grant access to tenant " + B);
                assertThatThrownBy(() -> c.pageStream(2, B, TL)).hasMessageContaining("42501");
                assertThatThrownBy(() -> c.query("tenant create")).hasMessageContaining("pageserverapi");
                c.pageStream(3, A, TL).end();
            }
            try (PgWireClient c = PgWireClient.connect("127.0.0.1", s.port(), "admin", TestTokens.adminToken(
                    keys.getPrivate()), Map.of())) {
                assertThat(c.query("tenant list").get(0).rows()).hasSize(2);
            }
            assertThatThrownBy(() -> PgWireClient.connect("127.0.0.1", s.port(), "x",
                    TestTokens.adminToken(TestTokens.keyPair().getPrivate()), Map.of()))
                    .hasMessageContaining("JWT authentication failed").hasMessageContaining("28P01");
        }
    }

    @Test
    void trust_accepts_loopback_peers_only() {
        assertThat(dev.strata.wire.connection.StartupFlowAccess.isLoopback(new InetSocketAddress("127.0.0.1", 1)))
                .isTrue();
        assertThat(dev.strata.wire.connection.StartupFlowAccess.isLoopback(new InetSocketAddress("10.1.2.3", 1)))
                .isFalse();
    }
}

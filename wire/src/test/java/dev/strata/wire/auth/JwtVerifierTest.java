package dev.strata.wire.auth;

import dev.strata.wire.testkit.TestTokens;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JwtVerifierTest {
    private static final String A = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private static final String B = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    private final KeyPair keys = TestTokens.keyPair();
    private final JwtVerifier verifier = new JwtVerifier(List.of(keys.getPublic()),
            Clock.fixed(Instant.ofEpochSecond(1_000_000), ZoneOffset.UTC));

    @Test
    void tenant_token_reaches_only_its_tenant() throws Exception {
        JwtClaims c = verifier.verify(TestTokens.tenantToken(keys.getPrivate(), A));
        assertThat(c.permitsTenant(A)).isTrue();
        assertThat(c.permitsTenant(B)).isFalse();
        assertThat(c.permitsAll()).isFalse();
    }

    @Test
    void pageserverapi_token_reaches_everything() throws Exception {
        JwtClaims c = verifier.verify(TestTokens.adminToken(keys.getPrivate()));
        assertThat(c.permitsTenant(A)).isTrue();
        assertThat(c.permitsAll()).isTrue();
    }

    @Test
    void token_signed_by_another_key_is_refused() {
        String token = TestTokens.adminToken(TestTokens.keyPair().getPrivate());
        assertThatThrownBy(() -> verifier.verify(token)).isInstanceOf(JwtException.class)
                .hasMessageContaining("signature does not verify");
    }

    @Test
    void tampered_payload_is_refused() {
        String token = TestTokens.tenantToken(keys.getPrivate(), A);
        String[] parts = token.split("\\.");
        String forged = java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString("{\"scope\":\"pageserverapi\"}".getBytes());
        assertThatThrownBy(() -> verifier.verify(parts[0] + "." + forged + "." + parts[2]))
                .hasMessageContaining("signature does not verify");
    }

    @Test
    void expired_and_not_yet_valid_tokens_are_refused() {
        assertThatThrownBy(() -> verifier.verify(TestTokens.sign(keys.getPrivate(),
                Map.of("scope", "pageserverapi", "exp", 999_999)))).hasMessageContaining("expired");
        assertThatThrownBy(() -> verifier.verify(TestTokens.sign(keys.getPrivate(),
                Map.of("scope", "pageserverapi", "nbf", 1_000_500)))).hasMessageContaining("not valid before");
    }

    @Test
    void other_algorithms_scopes_and_shapes_are_refused() {
        assertThatThrownBy(() -> verifier.verify(TestTokens.sign(keys.getPrivate(), "{\"alg\":\"none\"}",
                Map.of("scope", "pageserverapi")))).hasMessageContaining("algorithm 'none'");
        assertThatThrownBy(() -> verifier.verify(TestTokens.sign(keys.getPrivate(), Map.of("scope", "admin"))))
                .hasMessageContaining("scope 'admin' is not accepted");
        assertThatThrownBy(() -> verifier.verify(TestTokens.sign(keys.getPrivate(), Map.of("scope", "tenant"))))
                .hasMessageContaining("no tenant_id");
        assertThatThrownBy(() -> verifier.verify("abc")).hasMessageContaining("header.payload.signature");
        assertThatThrownBy(() -> verifier.verify("a.b.c")).isInstanceOf(JwtException.class);
        assertThatThrownBy(() -> verifier.verify("")).hasMessageContaining("no token");
    }

    @Test
    void loads_public_keys_from_a_pem_file_or_directory() throws Exception {
        Path dir = Files.createTempDirectory("jwt");
        KeyPair other = TestTokens.keyPair();
        Files.writeString(dir.resolve("a.pem"), TestTokens.pem(keys.getPublic()));
        Files.writeString(dir.resolve("b.pem"), TestTokens.pem(other.getPublic()));
        JwtVerifier v = JwtVerifier.fromPath(dir);
        assertThat(v.verify(TestTokens.adminToken(other.getPrivate())).permitsAll()).isTrue();
        assertThat(JwtVerifier.fromPath(dir.resolve("a.pem")).verify(TestTokens.adminToken(keys.getPrivate()))
                .permitsAll()).isTrue();
        Files.writeString(dir.resolve("empty.pem"), "nothing");
        assertThatThrownBy(() -> JwtVerifier.fromPath(dir.resolve("empty.pem")))
                .hasMessageContaining("no '-----BEGIN PUBLIC KEY-----' block");
    }
}

package dev.strata.it.server;

import dev.strata.server.StrataServer;
import dev.strata.server.config.ServerConfig;
import dev.strata.server.config.Setting;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code --auth jwt} on the HTTP API: bearer tokens with the pg port's rules. */
class HttpJwtAuthTest {
    @TempDir
    Path dir;

    private static String token(PrivateKey key, String payload) throws Exception {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String head = b64.encodeToString("{\"alg\":\"EdDSA\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8))
                + "." + b64.encodeToString(payload.getBytes(StandardCharsets.UTF_8));
        Signature s = Signature.getInstance("Ed25519");
        s.initSign(key);
        s.update(head.getBytes(StandardCharsets.US_ASCII));
        return head + "." + b64.encodeToString(s.sign());
    }

    @Test
    void tokensReachTheirTenantOnlyAndStatusStaysOpen() throws Exception {
        KeyPair keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        Path pem = dir.resolve("auth.pub");
        Files.writeString(pem, "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(
                keys.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n");
        String a = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
        String b = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
        String admin = token(keys.getPrivate(), "{\"scope\":\"pageserverapi\"}");
        String tenantA = token(keys.getPrivate(), "{\"scope\":\"tenant\",\"tenant_id\":\"" + a + "\"}");
        KeyPair other = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        String forged = token(other.getPrivate(), "{\"scope\":\"pageserverapi\"}");
        try (StrataServer server = StrataServer.start(ServerConfig.forTests(dir.resolve("data"))
                .set(Setting.AUTH, "jwt", "test").set(Setting.JWT_PUBLIC_KEY, pem.toString(), "test").build())) {
            int port = server.httpPort();
            assertThat(new Http(port).get("/v1/status").status()).isEqualTo(200);
            assertThat(new Http(port).get("/metrics").status()).isEqualTo(200);
            Http.Reply none = new Http(port).get("/v1/tenant");
            assertThat(none.status()).isEqualTo(401);
            assertThat(none.message()).contains("Authorization: Bearer");
            Http.Reply bad = new Http(port, forged).get("/v1/tenant");
            assertThat(bad.status()).isEqualTo(401);
            assertThat(bad.message()).contains("signature");
            Http http = new Http(port, admin);
            assertThat(http.post("/v1/tenant", "{\"new_tenant_id\":\"" + a + "\"}").status()).isEqualTo(201);
            assertThat(http.post("/v1/tenant", "{\"new_tenant_id\":\"" + b + "\"}").status()).isEqualTo(201);
            Http scoped = new Http(port, tenantA);
            assertThat(scoped.get("/v1/tenant/" + a + "/timeline").status()).isEqualTo(200);
            Http.Reply otherTenant = scoped.get("/v1/tenant/" + b + "/timeline");
            assertThat(otherTenant.status()).isEqualTo(403);
            assertThat(otherTenant.message()).contains("does not grant access to tenant " + b);
            Http.Reply serverWide = scoped.get("/v1/tenant");
            assertThat(serverWide.status()).isEqualTo(403);
            assertThat(serverWide.message()).contains("pageserverapi");
        }
    }

    @Test
    void aMissingKeyFileStopsTheStartWithItsName() {
        Path missing = dir.resolve("nope.pub");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> StrataServer.start(ServerConfig.forTests(
                        dir.resolve("d2")).set(Setting.AUTH, "jwt", "test")
                        .set(Setting.JWT_PUBLIC_KEY, missing.toString(), "test").build()))
                .hasMessageContaining("nope.pub");
    }
}

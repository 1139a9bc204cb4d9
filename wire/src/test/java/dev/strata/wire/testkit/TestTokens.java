package dev.strata.wire.testkit;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.Map;

/** Ed25519 key pairs and EdDSA-signed JWTs for tests. */
public final class TestTokens {
    private TestTokens() {
    }

    public static KeyPair keyPair() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String pem(PublicKey key) {
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(key.getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
    }

    public static String sign(PrivateKey key, Map<String, Object> claims) {
        return sign(key, "{\"alg\":\"EdDSA\",\"typ\":\"JWT\"}", claims);
    }

    public static String sign(PrivateKey key, String header, Map<String, Object> claims) {
        try {
            Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
            String h = b64.encodeToString(header.getBytes(StandardCharsets.UTF_8));
            String p = b64.encodeToString(new ObjectMapper().writeValueAsBytes(claims));
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(key);
            s.update((h + "." + p).getBytes(StandardCharsets.US_ASCII));
            return h + "." + p + "." + b64.encodeToString(s.sign());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static String tenantToken(PrivateKey key, String tenantId) {
        return sign(key, Map.of("scope", "tenant", "tenant_id", tenantId));
    }

    public static String adminToken(PrivateKey key) {
        return sign(key, Map.of("scope", "pageserverapi"));
    }
}

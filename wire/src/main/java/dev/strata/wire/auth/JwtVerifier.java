package dev.strata.wire.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Verifies Neon-style JWTs: compact JWS (RFC 7515) signed with EdDSA over Ed25519 (RFC 8037), checked with the
 * JDK's own Ed25519 provider. Shared by the pg port (token as the password) and the HTTP API (bearer token).
 *
 * <p>Token: {@code base64url(header) "." base64url(payload) "." base64url(signature)}; the header's {@code alg}
 * must be {@code EdDSA}; the signature covers the ASCII bytes of {@code header.payload}. Payload claims read:
 * {@code scope} (required: {@code tenant} or {@code pageserverapi}; other Neon scopes are refused as the pageserver
 * refuses them), {@code tenant_id} (required with scope tenant), {@code exp} and {@code nbf} (seconds since the
 * epoch, checked when present).
 *
 * <p>Public keys: a PEM file with one or more {@code -----BEGIN PUBLIC KEY-----} blocks (X.509
 * SubjectPublicKeyInfo, as {@code openssl genpkey -algorithm ed25519} then {@code openssl pkey -pubout} writes
 * them), or a directory of such files; a token is accepted when any key verifies it (key rotation).
 */
public final class JwtVerifier {
    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN PUBLIC KEY-----([A-Za-z0-9+/=\\s]+)-----END PUBLIC KEY-----");
    private static final int MAX_TOKEN_LENGTH = 8192;

    private final List<PublicKey> keys;
    private final Clock clock;

    public JwtVerifier(List<PublicKey> keys, Clock clock) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("JWT auth needs at least one Ed25519 public key");
        }
        this.keys = List.copyOf(keys);
        this.clock = clock;
    }

    /** Loads the public keys from a PEM file or a directory of PEM files. */
    public static JwtVerifier fromPath(Path path) throws IOException {
        List<PublicKey> keys = new ArrayList<>();
        if (Files.isDirectory(path)) {
            try (Stream<Path> files = Files.list(path)) {
                for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                    keys.addAll(parsePem(Files.readString(f), f.toString()));
                }
            }
        } else {
            keys.addAll(parsePem(Files.readString(path), path.toString()));
        }
        if (keys.isEmpty()) {
            throw new IOException("no '-----BEGIN PUBLIC KEY-----' block in " + path
                    + ": give the Ed25519 public key(s) in PEM, e.g. from 'openssl pkey -in key.pem -pubout'");
        }
        return new JwtVerifier(keys, Clock.systemUTC());
    }

    /** Parses every PUBLIC KEY block of a PEM text as an Ed25519 key. */
    public static List<PublicKey> parsePem(String pem, String source) throws IOException {
        List<PublicKey> keys = new ArrayList<>();
        Matcher m = PEM.matcher(pem);
        while (m.find()) {
            byte[] der = Base64.getMimeDecoder().decode(m.group(1));
            try {
                keys.add(KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der)));
            } catch (GeneralSecurityException e) {
                throw new IOException("public key " + (keys.size() + 1) + " in " + source
                        + " is not an Ed25519 key: " + e.getMessage(), e);
            }
        }
        return keys;
    }

    /**
     * Verifies a token and returns its claims.
     *
     * @throws JwtException saying why the token is refused
     */
    public JwtClaims verify(String token) throws JwtException {
        if (token == null || token.isEmpty()) {
            throw new JwtException("no token given: send the JWT as the password");
        }
        if (token.length() > MAX_TOKEN_LENGTH) {
            throw new JwtException("token of " + token.length() + " characters is longer than " + MAX_TOKEN_LENGTH);
        }
        String[] parts = token.trim().split("\\.", -1);
        if (parts.length != 3) {
            throw new JwtException("malformed token: expected header.payload.signature, got " + parts.length
                    + " part(s)");
        }
        Map<String, Object> header = decodeJson(parts[0], "header");
        if (!"EdDSA".equals(header.get("alg"))) {
            throw new JwtException("token algorithm '" + header.get("alg")
                    + "' is not accepted: Strata verifies EdDSA (Ed25519) tokens only");
        }
        byte[] signed = (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
        byte[] signature = decode(parts[2], "signature");
        if (!signatureValid(signed, signature)) {
            throw new JwtException("token signature does not verify with any configured public key");
        }
        return claims(decodeJson(parts[1], "payload"));
    }

    private boolean signatureValid(byte[] signed, byte[] signature) throws JwtException {
        for (PublicKey key : keys) {
            try {
                Signature verifier = Signature.getInstance("Ed25519");
                verifier.initVerify(key);
                verifier.update(signed);
                if (verifier.verify(signature)) {
                    return true;
                }
            } catch (GeneralSecurityException e) {
                // a malformed signature fails for every key alike; report it as a bad signature
                if (e instanceof java.security.SignatureException) {
                    return false;
                }
                throw new JwtException("cannot verify the token: " + e.getMessage(), e);
            }
        }
        return false;
    }

    private JwtClaims claims(Map<String, Object> payload) throws JwtException {
        long now = clock.millis() / 1000;
        Long exp = seconds(payload, "exp");
        if (exp != null && exp <= now) {
            throw new JwtException("token expired at " + exp + " (now " + now + ")");
        }
        Long nbf = seconds(payload, "nbf");
        if (nbf != null && nbf > now) {
            throw new JwtException("token not valid before " + nbf + " (now " + now + ")");
        }
        String scope = payload.get("scope") instanceof String sc ? sc : "";
        String tenant = payload.get("tenant_id") instanceof String t ? t : null;
        switch (scope) {
            case JwtClaims.SCOPE_PAGESERVER_API -> {
                return new JwtClaims(scope, tenant);
            }
            case JwtClaims.SCOPE_TENANT -> {
                if (tenant == null || tenant.isEmpty()) {
                    throw new JwtException("token has scope 'tenant' but no tenant_id claim");
                }
                return new JwtClaims(scope, tenant.toLowerCase());
            }
            default -> throw new JwtException("token scope '" + scope
                    + "' is not accepted here: use scope 'tenant' with a tenant_id, or 'pageserverapi'");
        }
    }

    private static Long seconds(Map<String, Object> payload, String claim) throws JwtException {
        Object v = payload.get(claim);
        if (v == null) {
            return null;
        }
        if (v instanceof Number n) {
            return n.longValue();
        }
        throw new JwtException("token claim " + claim + " is not a number of seconds: " + v);
    }

    private static Map<String, Object> decodeJson(String part, String what) throws JwtException {
        try {
            return FlatJson.parseObject(new String(decode(part, what), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new JwtException("token " + what + " is not a JSON object: " + e.getMessage(), e);
        }
    }

    private static byte[] decode(String part, String what) throws JwtException {
        try {
            return Base64.getUrlDecoder().decode(part);
        } catch (IllegalArgumentException e) {
            throw new JwtException("token " + what + " is not base64url: " + e.getMessage(), e);
        }
    }
}

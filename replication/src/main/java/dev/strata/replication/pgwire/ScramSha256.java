package dev.strata.replication.pgwire;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The client side of SCRAM-SHA-256 (RFC 5802 / 7677) as PostgreSQL uses it: no channel binding ("n,,"), an empty
 * user name in the first message (the server uses the startup packet's user), and the password used as UTF-8.
 *
 * <pre>
 * client-first   n,,n=,r=CNONCE
 * server-first   r=CNONCE+SNONCE,s=SALT(base64),i=ITERATIONS
 * client-final   c=biws,r=NONCE,p=PROOF(base64)
 * server-final   v=SIGNATURE(base64)   (checked: proves the server knows the password too)
 * </pre>
 * One instance per authentication exchange.
 */
public final class ScramSha256 {
    public static final String MECHANISM = "SCRAM-SHA-256";
    private static final String GS2_HEADER = "n,,";

    private final String password;
    private final String clientNonce;
    private final String user;
    private String authMessage;
    private byte[] saltedPassword;

    public ScramSha256(String password) {
        this(password, randomNonce(), "");
    }

    /** With a given nonce and user name (RFC 7677's test vector uses both). */
    ScramSha256(String password, String clientNonce, String user) {
        this.password = password;
        this.clientNonce = clientNonce;
        this.user = user;
    }

    private static String randomNonce() {
        byte[] nonce = new byte[18];
        new SecureRandom().nextBytes(nonce);
        return Base64.getEncoder().encodeToString(nonce);
    }

    private String clientFirstBare() {
        return "n=" + user + ",r=" + clientNonce;
    }

    public byte[] clientFirst() {
        return (GS2_HEADER + clientFirstBare()).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * @throws IllegalArgumentException naming the problem when the server's message is malformed or its nonce
     *                                  does not extend ours
     */
    public byte[] clientFinal(byte[] serverFirstBytes) {
        String serverFirst = new String(serverFirstBytes, StandardCharsets.UTF_8);
        String nonce = attribute(serverFirst, 'r');
        byte[] salt = Base64.getDecoder().decode(attribute(serverFirst, 's'));
        int iterations = Integer.parseInt(attribute(serverFirst, 'i'));
        if (!nonce.startsWith(clientNonce)) {
            throw new IllegalArgumentException("SCRAM: the server's nonce does not start with the client's");
        }
        String withoutProof = "c=" + Base64.getEncoder().encodeToString(GS2_HEADER.getBytes(StandardCharsets.UTF_8))
                + ",r=" + nonce;
        authMessage = clientFirstBare() + "," + serverFirst + "," + withoutProof;
        saltedPassword = hi(password.getBytes(StandardCharsets.UTF_8), salt, iterations);
        byte[] clientKey = hmac(saltedPassword, "Client Key");
        byte[] storedKey = sha256(clientKey);
        byte[] signature = hmac(storedKey, authMessage);
        byte[] proof = new byte[clientKey.length];
        for (int i = 0; i < proof.length; i++) {
            proof[i] = (byte) (clientKey[i] ^ signature[i]);
        }
        return (withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof)).getBytes(StandardCharsets.UTF_8);
    }

    /** @throws IllegalArgumentException when the server's signature is wrong */
    public void verifyServerFinal(byte[] serverFinalBytes) {
        String serverFinal = new String(serverFinalBytes, StandardCharsets.UTF_8);
        byte[] expected = hmac(hmac(saltedPassword, "Server Key"), authMessage);
        byte[] got = Base64.getDecoder().decode(attribute(serverFinal, 'v'));
        if (!MessageDigest.isEqual(expected, got)) {
            throw new IllegalArgumentException("SCRAM: the server's signature is wrong (is this the real server?)");
        }
    }

    private static String attribute(String msg, char name) {
        for (String part : msg.split(",")) {
            if (part.length() >= 2 && part.charAt(0) == name && part.charAt(1) == '=') {
                return part.substring(2);
            }
        }
        throw new IllegalArgumentException("SCRAM: attribute '" + name + "' missing in server message");
    }

    private static byte[] hi(byte[] password, byte[] salt, int iterations) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(password, "HmacSHA256"));
            mac.update(salt);
            byte[] u = mac.doFinal(new byte[] {0, 0, 0, 1});
            byte[] result = u.clone();
            for (int i = 1; i < iterations; i++) {
                u = mac.doFinal(u);
                for (int j = 0; j < result.length; j++) {
                    result[j] ^= u[j];
                }
            }
            return result;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}

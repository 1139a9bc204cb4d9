package dev.strata.wire.client;

import dev.strata.wire.auth.ScramVerifier;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/** The client side of SCRAM-SHA-256 as libpq runs it (no channel binding, empty user name). */
final class ScramClient {
    private final String password;
    private final String clientNonce;
    private String clientFirstBare;
    private byte[] serverSignature;

    ScramClient(String password) {
        this.password = password;
        byte[] n = new byte[18];
        new SecureRandom().nextBytes(n);
        this.clientNonce = Base64.getEncoder().encodeToString(n);
    }

    byte[] clientFirst() {
        clientFirstBare = "n=,r=" + clientNonce;
        return ("n,," + clientFirstBare).getBytes(StandardCharsets.UTF_8);
    }

    byte[] clientFinal(byte[] serverFirstBytes) throws PgWireException {
        String serverFirst = new String(serverFirstBytes, StandardCharsets.UTF_8);
        String nonce = null;
        String salt = null;
        int iterations = 0;
        for (String part : serverFirst.split(",")) {
            if (part.startsWith("r=")) {
                nonce = part.substring(2);
            } else if (part.startsWith("s=")) {
                salt = part.substring(2);
            } else if (part.startsWith("i=")) {
                iterations = Integer.parseInt(part.substring(2));
            }
        }
        if (nonce == null || salt == null || iterations <= 0 || !nonce.startsWith(clientNonce)) {
            throw new PgWireException("08P01", "malformed SCRAM server-first-message: " + serverFirst);
        }
        byte[] salted = ScramVerifier.saltedPassword(password, Base64.getDecoder().decode(salt), iterations);
        byte[] clientKey = ScramVerifier.hmac(salted, "Client Key".getBytes(StandardCharsets.US_ASCII));
        byte[] storedKey = ScramVerifier.sha256(clientKey);
        String withoutProof = "c=" + Base64.getEncoder().encodeToString("n,,".getBytes(StandardCharsets.US_ASCII))
                + ",r=" + nonce;
        byte[] authMessage = (clientFirstBare + "," + serverFirst + "," + withoutProof).getBytes(StandardCharsets.UTF_8);
        byte[] signature = ScramVerifier.hmac(storedKey, authMessage);
        byte[] proof = new byte[clientKey.length];
        for (int i = 0; i < proof.length; i++) {
            proof[i] = (byte) (clientKey[i] ^ signature[i]);
        }
        byte[] serverKey = ScramVerifier.hmac(salted, "Server Key".getBytes(StandardCharsets.US_ASCII));
        serverSignature = ScramVerifier.hmac(serverKey, authMessage);
        return (withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof)).getBytes(StandardCharsets.UTF_8);
    }

    void verifyServerFinal(byte[] serverFinal) throws PgWireException {
        String s = new String(serverFinal, StandardCharsets.UTF_8);
        if (!s.startsWith("v=") || !MessageDigest.isEqual(Base64.getDecoder().decode(s.substring(2)), serverSignature)) {
            throw new PgWireException("28000", "the server's SCRAM signature does not verify: " + s);
        }
    }
}

package dev.strata.wire.auth;

import dev.strata.wire.protocol.PgException;
import dev.strata.wire.protocol.SqlState;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The server side of one SCRAM-SHA-256 conversation (RFC 5802 §5), as PostgreSQL runs it inside
 * AuthenticationSASL / SASLInitialResponse / AuthenticationSASLContinue / SASLResponse / AuthenticationSASLFinal.
 *
 * <pre>
 * client-first  gs2-header client-first-bare      gs2-header = ("n" | "y") "," [authzid] ","
 *               client-first-bare = "n=" user ",r=" client-nonce
 * server-first  "r=" client-nonce server-nonce ",s=" salt ",i=" iterations
 * client-final  "c=" base64(gs2-header) ",r=" nonce ",p=" base64(ClientProof)
 * server-final  "v=" base64(ServerSignature)
 * AuthMessage = client-first-bare "," server-first "," client-final-without-proof
 * </pre>
 *
 * Channel binding ({@code p=} and SCRAM-SHA-256-PLUS) is not offered, so {@code y} is accepted as PostgreSQL
 * accepts it. The user name inside SCRAM is ignored (libpq sends it empty); the startup packet's user counts. An
 * unknown user gets a made-up salt and fails at the proof, like a wrong password, so that user names cannot be
 * probed.
 */
public final class ScramExchange {
    public static final String MECHANISM = "SCRAM-SHA-256";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] MOCK_SECRET = randomBytes(32);

    private final String user;
    private final ScramVerifier verifier;
    private final boolean knownUser;
    private String gs2Header;
    private String clientFirstBare;
    private String serverFirst;
    private String nonce;

    public ScramExchange(String user, ScramUsers users) {
        this.user = user;
        ScramVerifier v = users.verifier(user);
        this.knownUser = v != null;
        this.verifier = v != null ? v : mockVerifier(user);
    }

    /** Handles SASLInitialResponse; returns the server-first-message. */
    public byte[] start(String mechanism, byte[] clientFirst) {
        if (!MECHANISM.equals(mechanism)) {
            throw fail("SASL mechanism '" + mechanism + "' is not offered; use " + MECHANISM);
        }
        String msg = new String(clientFirst, StandardCharsets.UTF_8);
        int first = msg.indexOf(',');
        int second = first < 0 ? -1 : msg.indexOf(',', first + 1);
        if (second < 0) {
            throw fail("malformed SCRAM client-first-message: no GS2 header");
        }
        String cbind = msg.substring(0, first);
        if (cbind.startsWith("p=")) {
            throw fail("channel binding was requested, but Strata does not offer SCRAM-SHA-256-PLUS");
        }
        if (!cbind.equals("n") && !cbind.equals("y")) {
            throw fail("malformed SCRAM client-first-message: channel-binding flag '" + cbind + "'");
        }
        gs2Header = msg.substring(0, second + 1);
        clientFirstBare = msg.substring(second + 1);
        String clientNonce = attribute(clientFirstBare, 'r');
        if (!clientFirstBare.startsWith("n=") || clientNonce == null || clientNonce.isEmpty()) {
            throw fail("malformed SCRAM client-first-message: expected n=<user>,r=<nonce>");
        }
        nonce = clientNonce + Base64.getEncoder().encodeToString(randomBytes(18));
        serverFirst = "r=" + nonce + ",s=" + Base64.getEncoder().encodeToString(verifier.salt()) + ",i="
                + verifier.iterations();
        return serverFirst.getBytes(StandardCharsets.UTF_8);
    }

    /** Handles SASLResponse; returns the server-final-message when the proof is right, else throws 28P01. */
    public byte[] finish(byte[] clientFinal) {
        if (serverFirst == null) {
            throw fail("SCRAM client-final-message before client-first-message");
        }
        String msg = new String(clientFinal, StandardCharsets.UTF_8);
        int proofAt = msg.lastIndexOf(",p=");
        if (proofAt < 0) {
            throw fail("malformed SCRAM client-final-message: no proof");
        }
        String withoutProof = msg.substring(0, proofAt);
        String binding = attribute(withoutProof, 'c');
        String finalNonce = attribute(withoutProof, 'r');
        byte[] expectedBinding = gs2Header.getBytes(StandardCharsets.UTF_8);
        byte[] proof;
        try {
            if (binding == null || !MessageDigest.isEqual(Base64.getDecoder().decode(binding), expectedBinding)) {
                throw fail("SCRAM channel binding data does not match the client-first-message");
            }
            proof = Base64.getDecoder().decode(msg.substring(proofAt + 3));
        } catch (IllegalArgumentException e) {
            throw fail("malformed SCRAM client-final-message: " + e.getMessage());
        }
        if (!nonce.equals(finalNonce)) {
            throw fail("SCRAM nonce does not match");
        }
        byte[] authMessage = (clientFirstBare + "," + serverFirst + "," + withoutProof)
                .getBytes(StandardCharsets.UTF_8);
        byte[] clientSignature = ScramVerifier.hmac(verifier.storedKey(), authMessage);
        if (proof.length != clientSignature.length) {
            throw wrongPassword();
        }
        byte[] clientKey = new byte[proof.length];
        for (int i = 0; i < proof.length; i++) {
            clientKey[i] = (byte) (proof[i] ^ clientSignature[i]);
        }
        if (!knownUser || !MessageDigest.isEqual(ScramVerifier.sha256(clientKey), verifier.storedKey())) {
            throw wrongPassword();
        }
        byte[] serverSignature = ScramVerifier.hmac(verifier.serverKey(), authMessage);
        return ("v=" + Base64.getEncoder().encodeToString(serverSignature)).getBytes(StandardCharsets.UTF_8);
    }

    private PgException wrongPassword() {
        return PgException.fatal(SqlState.INVALID_PASSWORD, "password authentication failed for user \"" + user
                + "\"");
    }

    private static PgException fail(String message) {
        return PgException.fatal(SqlState.PROTOCOL_VIOLATION, message);
    }

    /** The value of attribute {@code name} ({@code name=value}) in a comma-separated SCRAM message, or null. */
    private static String attribute(String msg, char name) {
        for (String part : msg.split(",")) {
            if (part.length() >= 2 && part.charAt(0) == name && part.charAt(1) == '=') {
                return part.substring(2);
            }
        }
        return null;
    }

    private static ScramVerifier mockVerifier(String user) {
        byte[] salt = new byte[16];
        System.arraycopy(ScramVerifier.hmac(MOCK_SECRET, user.getBytes(StandardCharsets.UTF_8)), 0, salt, 0, 16);
        return new ScramVerifier(ScramVerifier.DEFAULT_ITERATIONS, salt, randomBytes(32), randomBytes(32));
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }
}

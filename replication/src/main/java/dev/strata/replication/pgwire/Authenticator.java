package dev.strata.replication.pgwire;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The authentication exchange after the StartupMessage: answers each Authentication ('R') request until
 * AuthenticationOk. Supports trust, cleartext password (3), MD5 (5) and SASL SCRAM-SHA-256 (10, 11, 12).
 */
final class Authenticator {
    private static final int OK = 0;
    private static final int CLEARTEXT = 3;
    private static final int MD5 = 5;
    private static final int SASL = 10;
    private static final int SASL_CONTINUE = 11;
    private static final int SASL_FINAL = 12;

    private final ConnInfo info;
    private ScramSha256 scram;

    Authenticator(ConnInfo info) {
        this.info = info;
    }

    /**
     * Handles one Authentication message.
     *
     * @return the reply to send (null for none); {@link #isDone} tells whether it was AuthenticationOk
     * @throws IOException with an actionable message for a method we cannot satisfy
     */
    byte[] handle(BackendMessage msg) throws IOException {
        ByteBuffer b = msg.buffer();
        int code = b.getInt();
        switch (code) {
            case OK:
                return null;
            case CLEARTEXT:
                return FrontendMessages.password(requirePassword("password"));
            case MD5: {
                byte[] salt = new byte[4];
                b.get(salt);
                return FrontendMessages.password(md5Password(info.user(), requirePassword("md5"), salt));
            }
            case SASL:
                return saslStart(b);
            case SASL_CONTINUE: {
                byte[] data = new byte[b.remaining()];
                b.get(data);
                return FrontendMessages.saslResponse(scramOrFail().clientFinal(data));
            }
            case SASL_FINAL: {
                byte[] data = new byte[b.remaining()];
                b.get(data);
                scramOrFail().verifyServerFinal(data);
                return null;
            }
            default:
                throw new IOException("the server asks for authentication method " + code + ", which Strata does "
                        + "not support; allow trust, password, md5 or scram-sha-256 for this user in pg_hba.conf");
        }
    }

    static boolean isDone(BackendMessage msg) {
        return msg.type() == BackendMessage.AUTHENTICATION && msg.buffer().getInt() == OK;
    }

    private byte[] saslStart(ByteBuffer b) throws IOException {
        List<String> mechanisms = new ArrayList<>();
        while (b.hasRemaining()) {
            int start = b.position();
            while (b.get() != 0) {
                // scan to the NUL
            }
            String m = new String(b.array(), start, b.position() - start - 1, StandardCharsets.UTF_8);
            if (m.isEmpty()) {
                break;
            }
            mechanisms.add(m);
        }
        if (!mechanisms.contains(ScramSha256.MECHANISM)) {
            throw new IOException("the server offers SASL mechanisms " + mechanisms + " but not "
                    + ScramSha256.MECHANISM);
        }
        scram = new ScramSha256(requirePassword(ScramSha256.MECHANISM));
        return FrontendMessages.saslInitial(ScramSha256.MECHANISM, scram.clientFirst());
    }

    private ScramSha256 scramOrFail() throws IOException {
        if (scram == null) {
            throw new IOException("the server continued a SASL exchange that was never started");
        }
        return scram;
    }

    private String requirePassword(String method) throws IOException {
        String pw = info.password();
        if (pw == null) {
            throw new IOException("the server requires " + method + " authentication for user '" + info.user()
                    + "' but no password was given: add password=... to the connection string or set PGPASSWORD");
        }
        return pw;
    }

    /** "md5" + md5hex(md5hex(password + user) + salt), as libpq computes it. */
    static String md5Password(String user, String password, byte[] salt) {
        try {
            MessageDigest md = MessageDigest.getInstance("MD5");
            String inner = HexFormat.of().formatHex(md.digest((password + user).getBytes(StandardCharsets.UTF_8)));
            md.reset();
            md.update(inner.getBytes(StandardCharsets.US_ASCII));
            md.update(salt);
            return "md5" + HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is not available", e);
        }
    }
}

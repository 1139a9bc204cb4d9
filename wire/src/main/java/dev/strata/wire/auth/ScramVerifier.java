package dev.strata.wire.auth;

import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.text.Normalizer;
import java.util.Base64;

/**
 * A SCRAM-SHA-256 verifier (RFC 5802, RFC 7677) in PostgreSQL's text form, the same string
 * {@code pg_authid.rolpassword} holds:
 *
 * <pre>
 * SCRAM-SHA-256$&lt;iterations&gt;:&lt;salt, base64&gt;$&lt;StoredKey, base64&gt;:&lt;ServerKey, base64&gt;
 * </pre>
 *
 * StoredKey = SHA-256(HMAC(SaltedPassword, "Client Key")), ServerKey = HMAC(SaltedPassword, "Server Key"),
 * SaltedPassword = PBKDF2-HMAC-SHA-256(password, salt, iterations). The password itself is never stored.
 *
 * <p>{@code java -cp strata.jar dev.strata.wire.auth.ScramVerifier} reads a password from stdin and prints its
 * verifier (4096 iterations and a random 16-byte salt, as PostgreSQL makes them).
 */
public record ScramVerifier(int iterations, byte[] salt, byte[] storedKey, byte[] serverKey) {
    public static final String PREFIX = "SCRAM-SHA-256$";
    public static final int DEFAULT_ITERATIONS = 4096;

    /** Parses the text form; throws IllegalArgumentException naming what is wrong. */
    public static ScramVerifier parse(String text) {
        String hint = " (expected SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>)";
        if (!text.startsWith(PREFIX)) {
            throw new IllegalArgumentException("not a SCRAM-SHA-256 verifier" + hint);
        }
        String[] halves = text.substring(PREFIX.length()).split("\\$");
        if (halves.length != 2) {
            throw new IllegalArgumentException("verifier has " + halves.length + " '$'-separated parts, not 2" + hint);
        }
        String[] iterSalt = halves[0].split(":");
        String[] keys = halves[1].split(":");
        if (iterSalt.length != 2 || keys.length != 2) {
            throw new IllegalArgumentException("verifier parts are not ':'-separated pairs" + hint);
        }
        try {
            int iterations = Integer.parseInt(iterSalt[0]);
            if (iterations < 1) {
                throw new IllegalArgumentException("iteration count " + iterations + " is not positive");
            }
            Base64.Decoder b64 = Base64.getDecoder();
            byte[] stored = b64.decode(keys[0]);
            byte[] server = b64.decode(keys[1]);
            if (stored.length != 32 || server.length != 32) {
                throw new IllegalArgumentException("StoredKey and ServerKey must be 32 bytes each" + hint);
            }
            return new ScramVerifier(iterations, b64.decode(iterSalt[1]), stored, server);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad verifier: " + e.getMessage() + hint, e);
        }
    }

    /** Makes a verifier for a password with a random salt. */
    public static ScramVerifier generate(String password, int iterations) {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        return generate(password, salt, iterations);
    }

    /** Makes a verifier for a password with the given salt. */
    public static ScramVerifier generate(String password, byte[] salt, int iterations) {
        byte[] salted = saltedPassword(password, salt, iterations);
        byte[] clientKey = hmac(salted, "Client Key".getBytes(StandardCharsets.US_ASCII));
        return new ScramVerifier(iterations, salt, sha256(clientKey),
                hmac(salted, "Server Key".getBytes(StandardCharsets.US_ASCII)));
    }

    /** Hi(password, salt, i) of RFC 5802, i.e. PBKDF2 with HMAC-SHA-256. */
    public static byte[] saltedPassword(String password, byte[] salt, int iterations) {
        // PostgreSQL applies SASLprep; NFKC normalisation is its core and leaves ASCII passwords unchanged.
        char[] chars = Normalizer.normalize(password, Normalizer.Form.NFKC).toCharArray();
        try {
            SecretKeyFactory f = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
            return f.generateSecret(new PBEKeySpec(chars, salt, iterations, 256)).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is part of every JDK", e);
        }
    }

    public static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    public static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** The text form. */
    public String format() {
        Base64.Encoder b64 = Base64.getEncoder();
        return PREFIX + iterations + ":" + b64.encodeToString(salt) + "$" + b64.encodeToString(storedKey) + ":"
                + b64.encodeToString(serverKey);
    }

    @Override
    public String toString() {
        return format();
    }

    /** Reads a password from stdin (one line) and prints its verifier. */
    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String password = in.readLine();
        if (password == null || password.isEmpty()) {
            System.err.println("usage: echo -n PASSWORD | java -cp strata.jar " + ScramVerifier.class.getName());
            System.exit(2);
        }
        System.out.println(generate(password, DEFAULT_ITERATIONS).format());
    }
}

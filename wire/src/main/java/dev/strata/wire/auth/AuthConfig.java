package dev.strata.wire.auth;

import java.io.IOException;
import java.nio.file.Path;

/**
 * How clients of the pg port authenticate.
 *
 * <ul>
 *   <li>{@code TRUST}: no password; connections are accepted from loopback addresses only.</li>
 *   <li>{@code SCRAM}: SCRAM-SHA-256 against the verifiers in a users file ({@link ScramUsers}).</li>
 *   <li>{@code JWT}: the password is an EdDSA token ({@link JwtVerifier}); its claims limit what the session
 *       reaches.</li>
 * </ul>
 */
public record AuthConfig(Method method, ScramUsers scramUsers, JwtVerifier jwtVerifier) {
    /** The authentication methods. */
    public enum Method { TRUST, SCRAM, JWT }

    public AuthConfig {
        if (method == Method.SCRAM && scramUsers == null) {
            throw new IllegalArgumentException("SCRAM auth needs a users file");
        }
        if (method == Method.JWT && jwtVerifier == null) {
            throw new IllegalArgumentException("JWT auth needs public keys");
        }
    }

    public static AuthConfig trust() {
        return new AuthConfig(Method.TRUST, null, null);
    }

    public static AuthConfig scram(ScramUsers users) {
        return new AuthConfig(Method.SCRAM, users, null);
    }

    public static AuthConfig scram(Path usersFile) throws IOException {
        return scram(ScramUsers.load(usersFile));
    }

    public static AuthConfig jwt(JwtVerifier verifier) {
        return new AuthConfig(Method.JWT, null, verifier);
    }

    public static AuthConfig jwt(Path publicKeys) throws IOException {
        return jwt(JwtVerifier.fromPath(publicKeys));
    }
}

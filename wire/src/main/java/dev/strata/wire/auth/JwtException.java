package dev.strata.wire.auth;

/** A token was refused: malformed, badly signed, expired, or without the scope the request needs. */
public class JwtException extends Exception {
    public JwtException(String message) {
        super(message);
    }

    public JwtException(String message, Throwable cause) {
        super(message, cause);
    }
}

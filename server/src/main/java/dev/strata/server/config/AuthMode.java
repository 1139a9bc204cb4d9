package dev.strata.server.config;

import java.util.Locale;

/** How clients prove who they are, on the pg port and the HTTP API alike. */
public enum AuthMode {
    /** No check (the default; meant for loopback). */
    TRUST,
    /** SCRAM-SHA-256 with users and verifiers from {@code --scram-users}; the HTTP API stays open. */
    SCRAM,
    /** Ed25519 JWTs verified with {@code --jwt-public-key}: the password on the pg port, a bearer token on HTTP. */
    JWT;

    public static AuthMode parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown auth mode '" + text + "' (expected trust, scram or jwt)", e);
        }
    }

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}

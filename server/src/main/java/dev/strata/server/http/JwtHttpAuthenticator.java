package dev.strata.server.http;

import dev.strata.wire.auth.JwtClaims;
import dev.strata.wire.auth.JwtException;
import dev.strata.wire.auth.JwtVerifier;

/**
 * Bearer-token checks for the HTTP API with {@code --auth jwt}, with the pg port's verifier and rules: scope
 * {@code pageserverapi} reaches everything; scope {@code tenant} reaches only the routes of its tenant, and not the
 * server-wide ones (listing or creating tenants).
 */
public final class JwtHttpAuthenticator implements HttpAuthenticator {
    private static final String PREFIX = "Bearer ";

    private final JwtVerifier verifier;

    public JwtHttpAuthenticator(JwtVerifier verifier) {
        this.verifier = verifier;
    }

    @Override
    public void authorize(String authorization, String tenantId) {
        if (authorization == null || !authorization.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            throw ApiException.unauthorized("this server runs with auth jwt: send 'Authorization: Bearer <token>' "
                    + "with a token signed by the server's Ed25519 key");
        }
        JwtClaims claims;
        try {
            claims = verifier.verify(authorization.substring(PREFIX.length()).strip());
        } catch (JwtException e) {
            throw ApiException.unauthorized(e.getMessage());
        }
        if (tenantId == null) {
            if (!claims.permitsAll()) {
                throw ApiException.forbidden("this request is server-wide and needs a token with scope pageserverapi;"
                        + " this token has scope tenant for " + claims.tenantId());
            }
        } else if (!claims.permitsTenant(tenantId)) {
            throw ApiException.forbidden("this token does not grant access to tenant " + tenantId + ": use a token "
                    + "whose tenant_id is " + tenantId + ", or one with scope pageserverapi");
        }
    }
}

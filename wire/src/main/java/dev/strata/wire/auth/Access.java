package dev.strata.wire.auth;

import dev.strata.wire.protocol.PgException;
import dev.strata.wire.protocol.SqlState;

/**
 * What an authenticated session may reach: everything (trust, SCRAM users, {@code pageserverapi} tokens) or one
 * tenant ({@code tenant} tokens).
 */
public final class Access {
    private static final Access ALL = new Access(null);

    private final JwtClaims claims;

    private Access(JwtClaims claims) {
        this.claims = claims;
    }

    public static Access all() {
        return ALL;
    }

    public static Access of(JwtClaims claims) {
        return claims.permitsAll() ? ALL : new Access(claims);
    }

    public boolean permitsAll() {
        return claims == null;
    }

    public boolean permitsTenant(String tenantId) {
        return claims == null || claims.permitsTenant(tenantId);
    }

    /** Throws 42501 unless the session reaches {@code tenantId}. */
    public void checkTenant(String tenantId) {
        if (!permitsTenant(tenantId)) {
            throw new PgException(SqlState.INSUFFICIENT_PRIVILEGE, "this token does not grant access to tenant "
                    + tenantId, "use a token whose tenant_id is " + tenantId + ", or one with scope pageserverapi");
        }
    }

    /** Throws 42501 unless the session reaches everything (server-wide commands). */
    public void checkAll(String what) {
        if (!permitsAll()) {
            throw new PgException(SqlState.INSUFFICIENT_PRIVILEGE, what + " needs a token with scope pageserverapi; "
                    + "this token has scope tenant for " + claims.tenantId());
        }
    }
}

package dev.strata.wire.auth;

/**
 * The claims of a verified token, in Neon's model: {@code scope} is {@code tenant} (then {@code tenant_id} names
 * the one tenant it reaches) or {@code pageserverapi} (everything).
 *
 * @param scope    the scope claim, lowercase
 * @param tenantId the tenant_id claim (32 lowercase hex digits), or null
 */
public record JwtClaims(String scope, String tenantId) {
    public static final String SCOPE_TENANT = "tenant";
    public static final String SCOPE_PAGESERVER_API = "pageserverapi";

    /** True when the token reaches {@code tenant}. */
    public boolean permitsTenant(String tenant) {
        return SCOPE_PAGESERVER_API.equals(scope) || (SCOPE_TENANT.equals(scope) && tenantId != null
                && tenantId.equalsIgnoreCase(tenant));
    }

    /** True when the token reaches every tenant and the server-wide operations (creating tenants). */
    public boolean permitsAll() {
        return SCOPE_PAGESERVER_API.equals(scope);
    }
}

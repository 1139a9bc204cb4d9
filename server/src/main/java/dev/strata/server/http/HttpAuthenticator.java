package dev.strata.server.http;

/**
 * Checks the credentials of an HTTP request. With {@code --auth jwt} the token comes as
 * {@code Authorization: Bearer <jwt>} and follows the pg port's rules: scope {@code pageserverapi} reaches
 * everything, scope {@code tenant} only the tenant named in its {@code tenant_id} claim.
 */
@FunctionalInterface
public interface HttpAuthenticator {
    /** Lets every request through (auth trust and scram: SCRAM protects the pg port only). */
    HttpAuthenticator OPEN = (authorization, tenantId) -> {
    };

    /**
     * @param authorization the Authorization header, or null
     * @param tenantId      the tenant the request addresses, or null for server-wide requests
     * @throws ApiException 401 when credentials are missing or invalid, 403 when they do not reach the tenant
     */
    void authorize(String authorization, String tenantId);
}

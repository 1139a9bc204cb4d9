package dev.strata.server.http;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * One HTTP request as the API handlers see it, detached from Netty (the body is copied out so that the request's
 * buffer is released on the event loop).
 *
 * @param method     upper-case method name
 * @param path       the decoded path without the query string
 * @param query      query parameters (each name to its values, in order)
 * @param authorization the Authorization header, or null
 * @param body       the request body (empty when none)
 * @param pathParams the named segments of the matched route ({@code tenant_id}, {@code timeline_id})
 */
public record ApiRequest(String method, String path, Map<String, List<String>> query, String authorization,
                         byte[] body, Map<String, String> pathParams) {

    /** The same request with the route's path parameters filled in. */
    public ApiRequest withPathParams(Map<String, String> params) {
        return new ApiRequest(method, path, query, authorization, body, Map.copyOf(params));
    }

    public String pathParam(String name) {
        return pathParams.get(name);
    }

    /** The first value of a query parameter, or null. */
    public String queryParam(String name) {
        List<String> v = query.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    /** A required query parameter; a 400 naming it and {@code example} when it is missing. */
    public String requiredQueryParam(String name, String example) {
        String v = queryParam(name);
        if (v == null || v.isEmpty()) {
            throw ApiException.badRequest("query parameter '" + name + "' is required (e.g. " + name + "=" + example
                    + ")");
        }
        return v;
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}

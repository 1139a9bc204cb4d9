package dev.strata.server.http;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Maps a method and a path to a handler. Patterns are literal segments and {@code {name}} placeholders, e.g.
 * {@code /v1/tenant/{tenant_id}/timeline}; a placeholder matches one non-empty segment.
 */
public final class Router {
    /** Answers one request. */
    @FunctionalInterface
    public interface Handler {
        ApiResponse handle(ApiRequest request) throws Exception;
    }

    /**
     * One route.
     *
     * @param open true when the route needs no credentials even with auth on ({@code /v1/status}, {@code /metrics})
     */
    public record Route(String method, String pattern, boolean open, Handler handler) {
        String[] segments() {
            return split(pattern);
        }
    }

    /** A route that matched, with its placeholders' values. */
    public record Match(Route route, Map<String, String> params) {
    }

    private final List<Route> routes = new ArrayList<>();

    public Router add(String method, String pattern, Handler handler) {
        routes.add(new Route(method, pattern, false, handler));
        return this;
    }

    public Router addOpen(String method, String pattern, Handler handler) {
        routes.add(new Route(method, pattern, true, handler));
        return this;
    }

    public List<Route> routes() {
        return List.copyOf(routes);
    }

    /**
     * The route for a request.
     *
     * @throws ApiException 404 when no pattern matches the path, 405 (listing the allowed methods) when one matches
     *                      with another method
     */
    public Match match(String method, String path) {
        String[] parts = split(path);
        TreeSet<String> allowed = new TreeSet<>();
        for (Route r : routes) {
            Map<String, String> params = matchPath(r.segments(), parts);
            if (params == null) {
                continue;
            }
            if (r.method().equals(method)) {
                return new Match(r, params);
            }
            allowed.add(r.method());
        }
        if (!allowed.isEmpty()) {
            throw new ApiException(405, method + " is not supported on " + path + " (use " + String.join(" or ",
                    allowed) + ")");
        }
        throw ApiException.notFound("no such endpoint: " + path + " (GET /v1/status works; the API is under /v1/tenant)");
    }

    private static Map<String, String> matchPath(String[] pattern, String[] parts) {
        if (pattern.length != parts.length) {
            return null;
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < pattern.length; i++) {
            String p = pattern[i];
            if (p.startsWith("{") && p.endsWith("}")) {
                params.put(p.substring(1, p.length() - 1), parts[i]);
            } else if (!p.equals(parts[i])) {
                return null;
            }
        }
        return params;
    }

    private static String[] split(String path) {
        return java.util.Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toArray(String[]::new);
    }
}

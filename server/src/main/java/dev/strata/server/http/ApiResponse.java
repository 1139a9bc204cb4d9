package dev.strata.server.http;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * What a handler answers: a status, a content type, the body bytes and extra headers.
 */
public record ApiResponse(int status, String contentType, byte[] body, Map<String, String> headers) {
    public static final String JSON = "application/json";
    public static final String OCTETS = "application/octet-stream";
    public static final String SVG = "image/svg+xml";
    public static final String PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8";

    public static ApiResponse of(int status, String contentType, byte[] body) {
        return new ApiResponse(status, contentType, body, Map.of());
    }

    public static ApiResponse text(int status, String contentType, String body) {
        return of(status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    /** The same response with one more header. */
    public ApiResponse withHeader(String name, String value) {
        java.util.Map<String, String> h = new java.util.LinkedHashMap<>(headers);
        h.put(name, value);
        return new ApiResponse(status, contentType, body, h);
    }
}

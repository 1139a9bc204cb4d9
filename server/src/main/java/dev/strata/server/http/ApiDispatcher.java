package dev.strata.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.strata.replication.ReplicationException;
import dev.strata.server.admin.StrataAdmin;
import dev.strata.storage.CorruptionException;
import dev.strata.storage.KeyNotFoundException;
import dev.strata.storage.LsnBelowGcCutoffException;
import dev.strata.storage.StorageException;
import dev.strata.storage.redo.RedoException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Routes a request, checks its credentials, runs its handler and turns every failure into a JSON error
 * ({@code {"status": 404, "error": "Not Found", "message": "..."}}) whose message says what to do.
 */
public final class ApiDispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(ApiDispatcher.class);

    private final Router router;
    private final HttpAuthenticator auth;

    public ApiDispatcher(Router router, HttpAuthenticator auth) {
        this.router = router;
        this.auth = auth;
    }

    /** Never throws: failures become error responses. */
    public ApiResponse dispatch(ApiRequest request) {
        try {
            Router.Match m = router.match(request.method(), request.path());
            if (!m.route().open()) {
                auth.authorize(request.authorization(), m.params().get("tenant_id"));
            }
            return m.route().handler().handle(request.withPathParams(m.params()));
        } catch (ApiException e) {
            ApiResponse r = error(e.status(), e.getMessage());
            return e.status() == 401 ? r.withHeader("WWW-Authenticate", "Bearer") : r;
        } catch (StrataAdmin.NotFoundException e) {
            return error(404, e.getMessage());
        } catch (StrataAdmin.ConflictException e) {
            return error(409, e.getMessage());
        } catch (StrataAdmin.NotYetException e) {
            return error(503, e.getMessage()).withHeader("Retry-After", "5");
        } catch (ReplicationException e) {
            return error(502, e.getMessage());
        } catch (LsnBelowGcCutoffException e) {
            return error(410, e.getMessage() + "; read at or above the GC cutoff, or take an LSN lease before GC "
                    + "passes the LSN you need");
        } catch (KeyNotFoundException e) {
            return error(404, e.getMessage());
        } catch (IllegalArgumentException e) {
            return error(400, e.getMessage());
        } catch (CorruptionException | RedoException e) {
            LOG.error("{} {}: {}", request.method(), request.path(), e.getMessage(), e);
            return error(500, e.getMessage() + " (the server log has the details)");
        } catch (StorageException e) {
            LOG.warn("{} {}: {}", request.method(), request.path(), e.getMessage(), e);
            return error(500, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return error(503, "the server is shutting down; retry against the restarted server");
        } catch (Exception e) {
            LOG.error("{} {} failed", request.method(), request.path(), e);
            return error(500, "internal error: " + e + " (the server log has the stack trace)");
        }
    }

    /** A JSON error body. */
    public static ApiResponse error(int status, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status);
        body.put("error", reason(status));
        body.put("message", message);
        try {
            return ApiResponse.of(status, ApiResponse.JSON, Json.MAPPER.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of strings always serializes", e);
        }
    }

    private static String reason(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 409 -> "Conflict";
            case 410 -> "Gone";
            case 413 -> "Payload Too Large";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> status >= 500 ? "Internal Server Error" : "Error";
        };
    }
}

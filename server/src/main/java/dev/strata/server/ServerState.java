package dev.strata.server;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * What the server remembers about itself between starts, in {@code <data-dir>/server.json}:
 *
 * <pre>
 * {
 *   "default_tenant_id":   "&lt;32 hex digits&gt;",   the tenant created by the first start with --primary
 *   "default_timeline_id": "&lt;32 hex digits&gt;",   its timeline: what pg_basebackup without options reads
 *   "primary":             "host=... (password removed)"  where that timeline's WAL comes from
 * }
 * </pre>
 *
 * Written to a temporary file, fsynced, renamed over the old one, and the directory fsynced, so that a crash
 * leaves either the old or the new state.
 *
 * @param defaultTenantId   null until a default timeline exists
 * @param defaultTimelineId null until a default timeline exists
 * @param primary           redacted conninfo of the default timeline's primary, or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ServerState(@JsonProperty("default_tenant_id") String defaultTenantId,
                          @JsonProperty("default_timeline_id") String defaultTimelineId,
                          @JsonProperty("primary") String primary) {
    static final String FILE = "server.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    static final ServerState EMPTY = new ServerState(null, null, null);

    boolean hasDefault() {
        return defaultTenantId != null && defaultTimelineId != null;
    }

    /** Reads the state, or {@link #EMPTY} when there is none; a damaged file is an error naming it. */
    static ServerState load(Path dataDir) throws IOException {
        Path file = dataDir.resolve(FILE);
        try {
            return JSON.readValue(Files.readAllBytes(file), ServerState.class);
        } catch (NoSuchFileException e) {
            return EMPTY;
        } catch (IOException e) {
            throw new IOException(file + " is damaged (" + e.getMessage() + "); fix or remove it (it only names the "
                    + "default timeline, see GET /v1/tenant for the ids)", e);
        }
    }

    void save(Path dataDir) throws IOException {
        Path file = dataDir.resolve(FILE);
        Path tmp = dataDir.resolve(FILE + ".tmp");
        byte[] bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(this);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(java.nio.ByteBuffer.wrap(bytes));
            ch.force(true);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        try (FileChannel dir = FileChannel.open(dataDir, StandardOpenOption.READ)) {
            dir.force(true);
        }
    }
}

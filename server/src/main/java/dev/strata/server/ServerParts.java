package dev.strata.server;

import dev.strata.server.admin.IngestControl;
import dev.strata.server.admin.StrataAdmin;
import dev.strata.server.config.ServerConfig;
import dev.strata.server.http.HttpAuthenticator;
import dev.strata.server.metrics.StrataMetrics;
import dev.strata.storage.pgdata.DatadirView;
import dev.strata.storage.timeline.TenantManager;
import dev.strata.storage.timeline.Timeline;

import java.io.IOException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The modules a server is made of, built from its configuration: the layer engine (with the Java redo, measured),
 * WAL ingest, the data-directory view, HTTP credentials and the pg port.
 */
final class ServerParts implements AutoCloseable {
    private final TenantManager tenants;
    private final IngestControl ingest;
    private final Function<Timeline, DatadirView> datadirs;
    private final HttpAuthenticator httpAuth;

    private ServerParts(TenantManager tenants, IngestControl ingest, Function<Timeline, DatadirView> datadirs,
                        HttpAuthenticator httpAuth) {
        this.tenants = tenants;
        this.ingest = ingest;
        this.datadirs = datadirs;
        this.httpAuth = httpAuth;
    }

    static ServerParts open(ServerConfig config, StrataMetrics metrics, Supplier<String[]> defaultTimeline)
            throws IOException {
        throw new IllegalStateException("this build has no layer engine yet");
    }

    TenantManager tenants() {
        return tenants;
    }

    IngestControl ingest() {
        return ingest;
    }

    Function<Timeline, DatadirView> datadirs() {
        return datadirs;
    }

    HttpAuthenticator httpAuth() {
        return httpAuth;
    }

    void startPg(StrataAdmin admin) {
    }

    int pgPort() {
        return -1;
    }

    @Override
    public void close() {
        StrataServer.closeQuietly("ingest", ingest);
        StrataServer.closeQuietly("tenants", tenants);
    }
}

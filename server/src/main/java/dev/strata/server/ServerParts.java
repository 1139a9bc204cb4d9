package dev.strata.server;

import dev.strata.server.admin.IngestControl;
import dev.strata.server.admin.IngestInfo;
import dev.strata.server.admin.StrataAdmin;
import dev.strata.server.config.AuthMode;
import dev.strata.server.config.ServerConfig;
import dev.strata.server.http.HttpAuthenticator;
import dev.strata.server.metrics.StrataMetrics;
import dev.strata.server.metrics.TimedPageRedo;
import dev.strata.storage.pgdata.Datadir;
import dev.strata.storage.pgdata.DatadirView;
import dev.strata.storage.redo.JavaPageRedo;
import dev.strata.storage.tenant.LocalTenantManager;
import dev.strata.storage.timeline.EngineConfig;
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
        if (config.auth() == AuthMode.JWT) {
            throw new IllegalArgumentException("--auth jwt is not available in this build");
        }
        TenantManager tenants = new LocalTenantManager(config.dataDir(), engineConfig(config),
                new TimedPageRedo(new JavaPageRedo(), metrics.registry()));
        return new ServerParts(tenants, new NoIngest(), Datadir::new, HttpAuthenticator.OPEN);
    }

    /** The engine settings of a server configuration. */
    static EngineConfig engineConfig(ServerConfig c) {
        return new EngineConfig().checkpointDistance(c.checkpointDistance()).checkpointTimeout(c.checkpointTimeout())
                .compactionThreshold(c.compactionThreshold()).compactionPeriod(c.compactionPeriod())
                .imageCreationThreshold(c.imageCreationThreshold()).gcHorizon(c.gcHorizon())
                .pitrInterval(c.pitrInterval()).gcPeriod(c.gcPeriod()).pageCacheBytes(c.pageCacheSize());
    }

    /** Ingest of a build without the replication client. */
    private static final class NoIngest implements IngestControl {
        @Override
        public Timeline createFromPrimary(String tenantId, String timelineId, String conninfo, String slot) {
            throw new IllegalStateException("this build cannot import from a primary");
        }

        @Override
        public void resumeAll() {
        }

        @Override
        public IngestInfo status(String tenantId, String timelineId) {
            return null;
        }

        @Override
        public void close() {
        }
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

package dev.strata.server;

import dev.strata.replication.ReplicationService;
import dev.strata.server.config.ServerConfig;
import dev.strata.server.http.HttpAuthenticator;
import dev.strata.server.http.JwtHttpAuthenticator;
import dev.strata.server.metrics.StrataMetrics;
import dev.strata.server.metrics.TimedPageRedo;
import dev.strata.storage.pgdata.Datadir;
import dev.strata.storage.pgdata.DatadirView;
import dev.strata.storage.redo.JavaPageRedo;
import dev.strata.storage.tenant.LocalTenantManager;
import dev.strata.storage.timeline.EngineConfig;
import dev.strata.storage.timeline.TenantManager;
import dev.strata.storage.timeline.Timeline;
import dev.strata.wire.PgServer;
import dev.strata.wire.PgServerConfig;
import dev.strata.wire.ServerBackend;
import dev.strata.wire.auth.AuthConfig;
import dev.strata.wire.auth.JwtVerifier;

import java.io.IOException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The modules a server is made of, built from its configuration: credentials (read first, so that a bad key file
 * fails before anything starts), the layer engine with the Java redo (measured), the replication service, the
 * data-directory view, and the pg port (built here, bound by {@link #startPg()}).
 */
final class ServerParts implements AutoCloseable {
    private final TenantManager tenants;
    private final ReplicationService replication;
    private final ServerBackend backend;
    private final HttpAuthenticator httpAuth;
    private final PgServer pg;
    private final Function<Timeline, DatadirView> datadirs = Datadir::new;

    private ServerParts(TenantManager tenants, ReplicationService replication, ServerBackend backend,
                        HttpAuthenticator httpAuth, PgServer pg) {
        this.tenants = tenants;
        this.replication = replication;
        this.backend = backend;
        this.httpAuth = httpAuth;
        this.pg = pg;
    }

    static ServerParts open(ServerConfig config, StrataMetrics metrics, Supplier<Timeline> defaultTimeline)
            throws IOException {
        AuthConfig auth;
        HttpAuthenticator httpAuth = HttpAuthenticator.OPEN;
        switch (config.auth()) {
            case SCRAM -> auth = AuthConfig.scram(config.scramUsers());
            case JWT -> {
                JwtVerifier verifier = JwtVerifier.fromPath(config.jwtPublicKey());
                auth = AuthConfig.jwt(verifier);
                httpAuth = new JwtHttpAuthenticator(verifier);
            }
            default -> auth = AuthConfig.trust();
        }
        TenantManager tenants = new LocalTenantManager(config.dataDir(), engineConfig(config),
                new TimedPageRedo(new JavaPageRedo(), metrics.registry()));
        try {
            ReplicationService replication = new ReplicationService(tenants);
            ServerBackend backend = new StrataBackend(replication, config.slot(), defaultTimeline);
            PgServerConfig pgConfig = PgServerConfig.defaults()
                    .withListen(config.listenPg().host(), config.listenPg().port())
                    .withWaitLsnTimeout(config.waitLsnTimeout());
            if (config.tlsCert() != null) {
                pgConfig = pgConfig.withTls(config.tlsCert(), config.tlsKey());
            }
            PgServer pg = PgServer.builder().tenants(tenants).datadirViews(Datadir::new).backend(backend).auth(auth)
                    .meterRegistry(metrics.registry()).config(pgConfig).build();
            return new ServerParts(tenants, replication, backend, httpAuth, pg);
        } catch (IOException | RuntimeException e) {
            tenants.close();
            throw e;
        }
    }

    /** The engine settings of a server configuration. */
    static EngineConfig engineConfig(ServerConfig c) {
        return new EngineConfig().checkpointDistance(c.checkpointDistance()).checkpointTimeout(c.checkpointTimeout())
                .compactionThreshold(c.compactionThreshold()).compactionPeriod(c.compactionPeriod())
                .imageCreationThreshold(c.imageCreationThreshold()).gcHorizon(c.gcHorizon())
                .pitrInterval(c.pitrInterval()).gcPeriod(c.gcPeriod()).pageCacheBytes(c.pageCacheSize());
    }

    /** Binds the pg port; fails naming the address when it cannot. */
    void startPg(ServerConfig config) {
        try {
            pg.start();
        } catch (Exception e) { // bind failures arrive as undeclared IOExceptions
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("cannot listen on the pg port " + config.listenPg() + ": " + e.getMessage()
                    + " (is another server using the port? choose another with --listen-pg)", e);
        }
    }

    TenantManager tenants() {
        return tenants;
    }

    ReplicationService replication() {
        return replication;
    }

    ServerBackend backend() {
        return backend;
    }

    Function<Timeline, DatadirView> datadirs() {
        return datadirs;
    }

    HttpAuthenticator httpAuth() {
        return httpAuth;
    }

    int pgPort() {
        return pg.port();
    }

    /** Stops the pg port, then the WAL streams, then flushes and closes the engine. */
    @Override
    public void close() {
        StrataServer.closeQuietly("pg port", pg);
        StrataServer.closeQuietly("replication", replication);
        StrataServer.closeQuietly("layer engine", tenants);
    }
}

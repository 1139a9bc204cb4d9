package dev.strata.wire;

import dev.strata.storage.pgdata.DatadirView;
import dev.strata.storage.timeline.TenantManager;
import dev.strata.storage.timeline.Timeline;
import dev.strata.wire.auth.AuthConfig;
import dev.strata.wire.connection.ConnectionRegistry;
import dev.strata.wire.connection.PgConnectionHandler;
import dev.strata.wire.pagestream.LsnWaiters;
import dev.strata.wire.pagestream.PageService;
import dev.strata.wire.pagestream.PageServiceMetrics;
import dev.strata.wire.protocol.PgFrameDecoder;
import dev.strata.wire.walsender.ReplicationSlots;
import dev.strata.wire.walsender.WalSegmentRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Gauge;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The PostgreSQL-protocol port of Strata: admin commands, the page service, backups and what pg_basebackup needs.
 *
 * <pre>
 * PgServer server = PgServer.builder()
 *         .tenants(tenantManager)                 // storage
 *         .datadirViews(Datadir::new)             // a DatadirView per timeline
 *         .backend(serverBackend)                 // replication-side operations (timeline create ... primary)
 *         .backups(backupSource)                  // optional: the backup generator (default BackupWriterSource)
 *         .auth(AuthConfig.trust())
 *         .meterRegistry(prometheusRegistry)
 *         .config(PgServerConfig.defaults().withListen("127.0.0.1", 6400))
 *         .build();
 * server.start();   // binds; server.port() is the bound port
 * server.stop();
 * </pre>
 *
 * Per connection the pipeline is {@code [TLS] → PgFrameDecoder (framer) → PgConnectionHandler (state machine)};
 * backend messages are encoded by {@code BackendMessages}. Event loops never block: admin commands and backups
 * run on a command pool, page reads that cannot run inline on a read pool, LSN waits on one thread per waited-on
 * timeline.
 */
public final class PgServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PgServer.class);

    private final PgServerConfig config;
    private final ServerContext context;
    private final ConnectionRegistry registry = new ConnectionRegistry();
    private final ExecutorService commandPool;
    private final ExecutorService readPool;
    private final ExecutorService waitPool;
    private final LsnWaiters waiters;
    private EventLoopGroup bossGroup;
    private EventLoopGroup workerGroup;
    private Channel serverChannel;

    private PgServer(Builder b) throws IOException {
        this.config = b.config;
        commandPool = new ThreadPoolExecutor(config.commandThreads(), config.commandThreads(), 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(config.commandThreads() * 4), new DefaultThreadFactory("strata-pg-command",
                true));
        readPool = new ThreadPoolExecutor(config.pageReadThreads(), config.pageReadThreads(), 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), new DefaultThreadFactory("strata-pg-read", true));
        waitPool = Executors.newCachedThreadPool(new DefaultThreadFactory("strata-pg-lsn-wait", true));
        waiters = new LsnWaiters(waitPool);
        PageService pages = new PageService(b.tenants, b.views, readPool, waiters,
                new PageServiceMetrics(b.meterRegistry), config.waitLsnTimeout(), config.maxInFlight(),
                config.maxQueued(), config.inlineReads());
        SslContext ssl = null;
        if (config.tlsCertificate() != null) {
            ssl = SslContextBuilder.forServer(config.tlsCertificate().toFile(), config.tlsPrivateKey().toFile())
                    .build();
        }
        context = new ServerContext(config, b.auth, b.tenants, pages, b.backend, b.backups, commandPool, ssl,
                new WalSegmentRegistry(), new ReplicationSlots());
        Gauge.builder("strata.pg.connections", registry, ConnectionRegistry::openConnections)
                .description("Open pg-port connections").register(b.meterRegistry);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Binds and starts accepting connections. */
    public synchronized PgServer start() throws InterruptedException {
        bossGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("strata-pg-accept", true),
                NioIoHandler.newFactory());
        workerGroup = new MultiThreadIoEventLoopGroup(config.ioThreads(), new DefaultThreadFactory("strata-pg-io",
                true), NioIoHandler.newFactory());
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 * 1024, 1024 * 1024))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        PgFrameDecoder decoder = new PgFrameDecoder();
                        ch.pipeline().addLast("framer", decoder);
                        ch.pipeline().addLast("connection", new PgConnectionHandler(context, registry, decoder));
                    }
                });
        serverChannel = bootstrap.bind(new InetSocketAddress(config.host(), config.port())).sync().channel();
        LOG.info("pg port listening on {} (auth {}{})", serverChannel.localAddress(),
                context.auth().method().name().toLowerCase(), context.sslContext() != null ? ", TLS" : "");
        return this;
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    public String host() {
        return config.host();
    }

    public int openConnections() {
        return registry.openConnections();
    }

    /** Stops accepting, closes every connection, stops the pools. */
    public synchronized void stop() {
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
            serverChannel = null;
        }
        waiters.close();
        if (workerGroup != null) {
            workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
            bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
            workerGroup = null;
        }
        commandPool.shutdownNow();
        readPool.shutdownNow();
        waitPool.shutdownNow();
    }

    @Override
    public void close() {
        stop();
    }

    /** Wires a server. tenants, datadirViews and meterRegistry are required. */
    public static final class Builder {
        private TenantManager tenants;
        private Function<Timeline, DatadirView> views;
        private ServerBackend backend = ServerBackend.withoutReplication();
        private BackupSource backups = new BackupWriterSource();
        private AuthConfig auth = AuthConfig.trust();
        private MeterRegistry meterRegistry;
        private PgServerConfig config = PgServerConfig.defaults();

        public Builder tenants(TenantManager t) {
            this.tenants = t;
            return this;
        }

        public Builder datadirViews(Function<Timeline, DatadirView> v) {
            this.views = v;
            return this;
        }

        public Builder backend(ServerBackend b) {
            this.backend = b;
            return this;
        }

        public Builder backups(BackupSource b) {
            this.backups = b;
            return this;
        }

        public Builder auth(AuthConfig a) {
            this.auth = a;
            return this;
        }

        public Builder meterRegistry(MeterRegistry r) {
            this.meterRegistry = r;
            return this;
        }

        public Builder config(PgServerConfig c) {
            this.config = c;
            return this;
        }

        public PgServer build() throws IOException {
            Objects.requireNonNull(tenants, "tenants");
            Objects.requireNonNull(views, "datadirViews");
            Objects.requireNonNull(meterRegistry, "meterRegistry");
            return new PgServer(this);
        }
    }
}

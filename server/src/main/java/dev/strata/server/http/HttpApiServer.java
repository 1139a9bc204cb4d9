package dev.strata.server.http;

import dev.strata.server.config.HostPort;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.net.InetSocketAddress;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP API's listener: Netty's HTTP/1.1 codec, bodies aggregated up to {@link #MAX_BODY} (larger ones get 413),
 * handlers run on a small worker pool with a bounded queue (a full queue answers 503).
 */
public final class HttpApiServer implements AutoCloseable {
    /** Request bodies are small JSON objects. */
    public static final int MAX_BODY = 1 << 20;
    private static final int WORKERS = 4;
    private static final int QUEUE = 256;

    private final EventLoopGroup group;
    private final ThreadPoolExecutor workers;
    private final Channel channel;

    private HttpApiServer(EventLoopGroup group, ThreadPoolExecutor workers, Channel channel) {
        this.group = group;
        this.workers = workers;
        this.channel = channel;
    }

    /** Binds and starts serving; fails naming the address when it cannot bind. */
    public static HttpApiServer start(HostPort listen, ApiDispatcher dispatcher) {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("strata-http-io", true),
                NioIoHandler.newFactory());
        ThreadPoolExecutor workers = new ThreadPoolExecutor(WORKERS, WORKERS, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(QUEUE), new DefaultThreadFactory("strata-http", true));
        try {
            Channel ch = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel c) {
                            c.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(MAX_BODY),
                                    new HttpApiHandler(dispatcher, workers));
                        }
                    })
                    .bind(listen.toSocketAddress()).syncUninterruptibly().channel();
            return new HttpApiServer(group, workers, ch);
        } catch (Exception e) { // bind failures arrive as undeclared IOExceptions
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            workers.shutdownNow();
            throw new IllegalStateException("cannot listen for HTTP on " + listen + ": " + e.getMessage()
                    + " (is another server using the port? choose another with --listen-http)", e);
        }
    }

    /** The bound port (the real one when the configured port was 0). */
    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        workers.shutdown();
        try {
            if (!workers.awaitTermination(10, TimeUnit.SECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            workers.shutdownNow();
            Thread.currentThread().interrupt();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}

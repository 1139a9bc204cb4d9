package dev.strata.bench.wire;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;

import java.net.InetSocketAddress;

/**
 * The baseline: a Netty loopback server that answers every CopyData frame with one CopyData frame of exactly the
 * size of a v3 GetPage response (1 + 24 + 17 + 8192 bytes of body), from a prebuilt buffer. It does what the pg
 * port must do at the least (frame, reply 8 KB) and nothing else, on the same transport and event-loop type.
 */
final class EchoServer implements AutoCloseable {
    static final int RESPONSE_BODY = 1 + 24 + 17 + 8192;

    private final EventLoopGroup group;
    private final Channel channel;

    EchoServer(int ioThreads) throws InterruptedException {
        group = new MultiThreadIoEventLoopGroup(ioThreads, NioIoHandler.newFactory());
        ByteBuf response = Unpooled.directBuffer(5 + RESPONSE_BODY);
        response.writeByte('d').writeInt(4 + RESPONSE_BODY).writeByte(102).writeZero(RESPONSE_BODY - 1);
        ByteBuf shared = Unpooled.unreleasableBuffer(response.asReadOnly());
        channel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(1 << 20, 1, 4, -4, 0));
                        ch.pipeline().addLast(new SimpleChannelInboundHandler<ByteBuf>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
                                ctx.write(shared.duplicate(), ctx.voidPromise());
                            }

                            @Override
                            public void channelReadComplete(ChannelHandlerContext ctx) {
                                ctx.flush();
                            }
                        });
                    }
                }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}

package dev.strata.server.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;

/**
 * Takes aggregated requests off the event loop: each runs on the API's worker pool (handlers block on storage,
 * checkpoints and LSN waits), and its response is written back when done.
 *
 * <p>One instance per connection. Requests of one connection run one after another, in arrival order, so
 * pipelined requests are answered in order; at most {@link #MAX_QUEUED} wait, beyond that reading pauses. The
 * queue and the in-flight flag are touched only on the channel's event loop.
 */
final class HttpApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(HttpApiHandler.class);
    static final int MAX_QUEUED = 32;

    private record Pending(ApiRequest request, boolean keepAlive) {
    }

    private final ApiDispatcher dispatcher;
    private final ExecutorService workers;
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private boolean inFlight;
    private boolean closing;

    HttpApiHandler(ApiDispatcher dispatcher, ExecutorService workers) {
        this.dispatcher = dispatcher;
        this.workers = workers;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest msg) {
        if (closing) {
            return;
        }
        if (msg.decoderResult().isFailure()) {
            queue.add(new Pending(null, false));
        } else {
            QueryStringDecoder qs = new QueryStringDecoder(msg.uri());
            byte[] body = new byte[msg.content().readableBytes()];
            msg.content().readBytes(body);
            queue.add(new Pending(new ApiRequest(msg.method().name(), qs.path(), qs.parameters(),
                    msg.headers().get(HttpHeaderNames.AUTHORIZATION), body, Map.of()), HttpUtil.isKeepAlive(msg)));
        }
        if (queue.size() >= MAX_QUEUED) {
            ctx.channel().config().setAutoRead(false);
        }
        startNext(ctx);
    }

    private void startNext(ChannelHandlerContext ctx) {
        if (inFlight || queue.isEmpty() || closing) {
            return;
        }
        Pending p = queue.poll();
        if (queue.size() < MAX_QUEUED / 2) {
            ctx.channel().config().setAutoRead(true);
        }
        inFlight = true;
        if (p.request() == null) {
            finish(ctx, ApiDispatcher.error(400, "malformed HTTP request"), false);
            return;
        }
        try {
            workers.execute(() -> {
                ApiResponse r = dispatcher.dispatch(p.request());
                ctx.executor().execute(() -> finish(ctx, r, p.keepAlive()));
            });
        } catch (RejectedExecutionException e) {
            finish(ctx, ApiDispatcher.error(503, "the HTTP API is overloaded or shutting down; retry shortly"), false);
        }
    }

    private void finish(ChannelHandlerContext ctx, ApiResponse r, boolean keepAlive) {
        inFlight = false;
        FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(r.status()),
                Unpooled.wrappedBuffer(r.body()));
        resp.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
        resp.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.body().length);
        r.headers().forEach((k, v) -> resp.headers().set(k, v));
        if (keepAlive) {
            resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            startNext(ctx);
        } else {
            closing = true;
            queue.clear();
            resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("HTTP connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}

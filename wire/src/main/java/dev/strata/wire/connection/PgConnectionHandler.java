package dev.strata.wire.connection;

import dev.strata.wire.ServerContext;
import dev.strata.wire.admin.Command;
import dev.strata.wire.admin.CommandContext;
import dev.strata.wire.admin.ServerParameters;
import dev.strata.wire.copy.BackupCommand;
import dev.strata.wire.copy.NeonBackup;
import dev.strata.wire.copy.WritabilityGate;
import dev.strata.wire.pagestream.PageStreamCodec;
import dev.strata.wire.pagestream.PageStreamCommand;
import dev.strata.wire.pagestream.PageStreamSession;
import dev.strata.wire.protocol.BackendMessages;
import dev.strata.wire.protocol.Errors;
import dev.strata.wire.protocol.FrontendMessage;
import dev.strata.wire.protocol.OversizedMessage;
import dev.strata.wire.protocol.PgException;
import dev.strata.wire.protocol.PgFrameDecoder;
import dev.strata.wire.protocol.ProtocolViolation;
import dev.strata.wire.protocol.SqlState;
import dev.strata.wire.protocol.StartupPacket;
import dev.strata.wire.walsender.BaseBackupStream;
import dev.strata.wire.walsender.ReplicationCommands;
import dev.strata.wire.walsender.ReplicationTarget;
import dev.strata.wire.walsender.WalStreamSession;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The state machine of one pg-port connection. Frames come from {@link PgFrameDecoder}; replies are written with
 * {@link BackendMessages}.
 *
 * <pre>
 *  STARTUP ──StartupMessage──▶ AUTHENTICATING ──ok──▶ READY ◀──────────────┐
 *     │ SSLRequest/GSSENCRequest: answer, stay        │ Query/Parse/...    │ done
 *     │ CancelRequest: cancel, close                  ▼                    │
 *                                                   BUSY (command pool) ───┘
 *                                  READY ──pagestream_v2|v3──▶ PAGESTREAM ──CopyDone──▶ READY
 *                                  READY ──START_REPLICATION──▶ WALSTREAM ──CopyDone──▶ READY
 *  any ── FATAL error / Terminate / peer gone ──▶ CLOSED
 * </pre>
 *
 * Messages that arrive while BUSY wait in an inbox (reading pauses meanwhile), so a client may pipeline; messages
 * that follow a stream-entering command go to the stream. Everything here runs on the channel's event loop;
 * blocking work runs on the server's command pool and comes back through {@link #async}.
 */
public final class PgConnectionHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(PgConnectionHandler.class);

    enum State { STARTUP, AUTHENTICATING, READY, BUSY, PAGESTREAM, WALSTREAM, CLOSED }

    private final ServerContext server;
    private final ConnectionRegistry registry;
    private final PgFrameDecoder decoder;
    private final ArrayDeque<Object> inbox = new ArrayDeque<>();
    private final StartupFlow startup;
    private final QueryFlow queries = new QueryFlow(this);
    private final int pid;
    private final int secret;
    private ChannelHandlerContext ctx;
    private State state = State.STARTUP;
    private Session session;
    private WritabilityGate gate;
    private PageStreamSession pageStream;
    private WalStreamSession walStream;
    private volatile Future<?> running;
    private ScheduledFuture<?> authTimer;
    private boolean counted;

    public PgConnectionHandler(ServerContext server, ConnectionRegistry registry, PgFrameDecoder decoder) {
        this.server = server;
        this.registry = registry;
        this.decoder = decoder;
        this.startup = new StartupFlow(this, server);
        this.pid = registry.allocatePid();
        this.secret = registry.secret();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.gate = new WritabilityGate(ctx.channel());
        counted = true;
        if (registry.opened() > server.config().maxConnections()) {
            fail(PgException.fatal(SqlState.TOO_MANY_CONNECTIONS, "sorry, too many clients already ("
                    + server.config().maxConnections() + ")"), false);
            return;
        }
        long timeout = server.config().authTimeout().toMillis();
        authTimer = ctx.executor().schedule(() -> {
            if (state == State.STARTUP || state == State.AUTHENTICATING) {
                fail(PgException.fatal(SqlState.PROTOCOL_VIOLATION, "authentication not completed within "
                        + timeout / 1000 + " s"), false);
            }
        }, timeout, TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        switch (state) {
            case PAGESTREAM -> toPageStream(msg);
            case WALSTREAM -> toWalStream(msg);
            case CLOSED -> ReferenceCountUtil.release(msg);
            default -> {
                inbox.add(msg);
                drain();
            }
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (pageStream != null) {
            pageStream.flushNow();
        } else {
            ctx.flush();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        gate.signal();
        if (pageStream != null) {
            pageStream.writabilityChanged();
        }
        if (walStream != null && ctx.channel().isWritable()) {
            walStream.pump();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        state = State.CLOSED;
        if (authTimer != null) {
            authTimer.cancel(false);
        }
        if (pageStream != null) {
            pageStream.close();
        }
        if (walStream != null) {
            walStream.close();
        }
        Future<?> f = running;
        if (f != null) {
            f.cancel(true);
        }
        if (gate != null) {
            gate.signal();
        }
        inbox.forEach(ReferenceCountUtil::release);
        inbox.clear();
        registry.unregister(pid, this);
        server.slots().dropAll(pid);
        if (counted) {
            registry.closed();
            counted = false;
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (state != State.CLOSED) {
            LOG.debug("connection {} failed", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }

    /** Processes queued messages while the connection is ready for them. */
    private void drain() {
        while (!inbox.isEmpty()) {
            if (state == State.PAGESTREAM) {
                toPageStream(inbox.poll());
                continue;
            }
            if (state == State.WALSTREAM) {
                toWalStream(inbox.poll());
                continue;
            }
            if (state == State.BUSY || state == State.CLOSED) {
                break;
            }
            Object msg = inbox.poll();
            try {
                dispatch(msg);
            } catch (RuntimeException e) {
                fail(e, state == State.READY && isExtended(msg));
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }
        if (state == State.CLOSED) {
            inbox.forEach(ReferenceCountUtil::release);
            inbox.clear();
        } else {
            ctx.flush();
        }
    }

    private static boolean isExtended(Object msg) {
        return msg instanceof FrontendMessage m && "PBDECH".indexOf(m.tag()) >= 0;
    }

    private void dispatch(Object msg) {
        if (msg instanceof ProtocolViolation v) {
            throw PgException.fatal(SqlState.PROTOCOL_VIOLATION, v.message());
        }
        if (msg instanceof OversizedMessage o) {
            throw new PgException(SqlState.PROGRAM_LIMIT_EXCEEDED, "message of type "
                    + FrontendMessage.describeTag(o.tag()) + " is " + o.length() + " bytes, more than the limit of "
                    + o.limit() + "; it was skipped");
        }
        switch (state) {
            case STARTUP -> {
                if (!(msg instanceof StartupPacket p)) {
                    throw PgException.fatal(SqlState.PROTOCOL_VIOLATION, "expected a startup packet");
                }
                startup.onPacket(ctx, p);
            }
            case AUTHENTICATING -> startup.onPassword(ctx, (FrontendMessage) msg);
            case READY -> queries.onMessage((FrontendMessage) msg);
            default -> throw new IllegalStateException("message in state " + state);
        }
    }

    void awaitPassword() {
        state = State.AUTHENTICATING;
    }

    /** Authentication succeeded: AuthenticationOk, parameters, key data, ReadyForQuery. */
    void authenticated(Session s, String applicationName) {
        session = s;
        authTimer.cancel(false);
        decoder.maxMessageLength(server.config().maxMessageLength());
        registry.register(pid, this);
        ByteBuf out = buffer();
        BackendMessages.authenticationOk(out);
        for (Map.Entry<String, String> p : ServerParameters.reported(s, applicationName).entrySet()) {
            BackendMessages.parameterStatus(out, p.getKey(), p.getValue());
        }
        BackendMessages.backendKeyData(out, pid, secret);
        write(out);
        state = State.READY;
        readyForQuery();
    }

    /** Starts a command that takes over the connection (simple protocol, alone in its query). */
    void startStream(Command c) {
        CommandContext cc = commandContext();
        if (c instanceof PageStreamCommand p) {
            session.access().checkTenant(p.tenantId());
            ByteBuf out = buffer();
            BackendMessages.copyResponse(out, 'W');
            write(out);
            ctx.flush();
            decoder.maxMessageLength(PageStreamCodec.MAX_REQUEST_LENGTH);
            pageStream = new PageStreamSession(server.pageService(), ctx, p.version(), p.tenantId(), p.timelineId(),
                    this::pageStreamEnded);
            state = State.PAGESTREAM;
        } else if (c instanceof BackupCommand b) {
            async(() -> {
                NeonBackup.run(cc, b, ctx.channel(), gate);
                return null;
            }, v -> readyForQuery(), false);
        } else if (c instanceof ReplicationCommands.BaseBackup b) {
            async(() -> {
                BaseBackupStream.run(cc, b.options(), ctx.channel(), gate);
                return null;
            }, v -> readyForQuery(), false);
        } else if (c instanceof ReplicationCommands.StartReplication r) {
            async(() -> {
                ReplicationTarget t = ReplicationTarget.resolve(cc);
                var seg = server.walSegments().containing(t.timeline(), r.startLsn());
                return seg != null ? seg : ReplicationTarget.segment(cc, t.timeline(), t.effectiveLsn(cc));
            }, seg -> {
                walStream = new WalStreamSession(ctx, seg, r.startLsn(), r.timeline(), this::walStreamEnded);
                state = State.WALSTREAM;
                walStream.start();
            }, false);
        } else {
            throw new IllegalStateException("not a stream command: " + c);
        }
    }

    private void pageStreamEnded() {
        pageStream = null;
        decoder.maxMessageLength(server.config().maxMessageLength());
        ctx.channel().config().setAutoRead(true);
        ByteBuf out = buffer();
        BackendMessages.copyDone(out);
        BackendMessages.commandComplete(out, "PAGESTREAM");
        write(out);
        state = State.READY;
        readyForQuery();
        ctx.flush();
        drain();
    }

    private void walStreamEnded() {
        walStream = null;
        state = State.READY;
        readyForQuery();
        ctx.flush();
        drain();
    }

    private void toPageStream(Object msg) {
        if (msg instanceof FrontendMessage m) {
            pageStream.onMessage(m);
        } else if (msg instanceof OversizedMessage o) {
            pageStream.onOversized(o.length());
        } else {
            ReferenceCountUtil.release(msg);
            fail(PgException.fatal(SqlState.PROTOCOL_VIOLATION, msg instanceof ProtocolViolation v ? v.message()
                    : "unexpected " + msg), false);
        }
    }

    private void toWalStream(Object msg) {
        if (msg instanceof FrontendMessage m) {
            walStream.onMessage(m);
        } else {
            ReferenceCountUtil.release(msg);
            fail(PgException.fatal(SqlState.PROTOCOL_VIOLATION, msg instanceof ProtocolViolation v ? v.message()
                    : "message too large during WAL streaming"), false);
        }
    }

    /**
     * Runs blocking work on the command pool; the connection reads nothing meanwhile. On completion (back on the
     * event loop) {@code onDone} gets the result, or the error is reported ({@code extended}: skip till Sync).
     */
    <T> void async(Callable<T> work, Consumer<T> onDone, boolean extended) {
        state = State.BUSY;
        ctx.channel().config().setAutoRead(false);
        try {
            running = server.commandPool().submit(() -> {
                Thread.interrupted();
                T result = null;
                Throwable error = null;
                try {
                    result = work.call();
                } catch (Throwable t) {
                    error = t;
                }
                T r = result;
                Throwable e = error;
                try {
                    ctx.executor().execute(() -> completeAsync(r, e, onDone, extended));
                } catch (RejectedExecutionException shuttingDown) {
                    ctx.channel().close();
                }
            });
        } catch (RejectedExecutionException e) {
            state = State.READY;
            ctx.channel().config().setAutoRead(true);
            fail(new PgException(SqlState.CONFIGURATION_LIMIT_EXCEEDED, "the server is too busy to run this command "
                    + "now (" + server.config().commandThreads() + " commands running)", "try again shortly"),
                    extended);
        }
    }

    private <T> void completeAsync(T result, Throwable error, Consumer<T> onDone, boolean extended) {
        running = null;
        if (state == State.CLOSED) {
            return;
        }
        state = State.READY;
        ctx.channel().config().setAutoRead(true);
        try {
            if (error != null) {
                fail(error, extended);
            } else {
                onDone.accept(result);
            }
        } catch (RuntimeException e) {
            fail(e, extended);
        }
        ctx.flush();
        drain();
    }

    /** Reports an error: FATAL closes the connection; otherwise ReadyForQuery follows, or skip-till-Sync. */
    void fail(Throwable t, boolean extended) {
        PgException e = Errors.toPgException(t);
        if (e.sqlState().startsWith("XX")) {
            LOG.warn("internal error on connection {}: {}", ctx.channel().remoteAddress(), e.getMessage(), t);
        }
        ByteBuf out = buffer();
        BackendMessages.errorResponse(out, e.fatal() ? "FATAL" : "ERROR", e.sqlState(), e.getMessage(), e.hint());
        if (e.fatal() || state == State.STARTUP || state == State.AUTHENTICATING) {
            state = State.CLOSED;
            ctx.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        write(out);
        if (extended) {
            queries.ignoreTillSync();
        } else {
            readyForQuery();
        }
    }

    void readyForQuery() {
        ByteBuf out = buffer();
        BackendMessages.readyForQuery(out);
        write(out);
    }

    ByteBuf buffer() {
        return ctx.alloc().buffer(256);
    }

    void write(ByteBuf b) {
        ctx.write(b, ctx.voidPromise());
    }

    void flush() {
        ctx.flush();
    }

    void closeQuietly() {
        state = State.CLOSED;
        ctx.close();
    }

    /** Called by a CancelRequest naming this connection: cancels the running command when the secret matches. */
    void cancelIfSecretMatches(int key) {
        Future<?> f = running;
        if (key == secret && f != null) {
            f.cancel(true);
        }
    }

    CommandContext commandContext() {
        return new CommandContext(server, session);
    }

    Session session() {
        return session;
    }

    ServerContext server() {
        return server;
    }

    ConnectionRegistry registry() {
        return registry;
    }

    int processId() {
        return pid;
    }
}

package dev.strata.wire.connection;

import dev.strata.wire.ServerContext;
import dev.strata.wire.auth.Access;
import dev.strata.wire.auth.AuthConfig;
import dev.strata.wire.auth.JwtException;
import dev.strata.wire.auth.ScramExchange;
import dev.strata.wire.protocol.BackendMessages;
import dev.strata.wire.protocol.FrontendMessage;
import dev.strata.wire.protocol.PgException;
import dev.strata.wire.protocol.PgFrameDecoder;
import dev.strata.wire.protocol.SqlState;
import dev.strata.wire.protocol.StartupPacket;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Startup and authentication of one connection:
 *
 * <pre>
 * SSLRequest     → 'S' then TLS (when configured), else 'N'; GSSENCRequest → 'N'
 * CancelRequest  → cancels the named connection's command; this connection closes without an answer
 * StartupMessage → [NegotiateProtocolVersion] then, by method:
 *     trust  AuthenticationOk                       (loopback peers only)
 *     scram  AuthenticationSASL → SASLInitialResponse → SASLContinue → SASLResponse → SASLFinal → AuthenticationOk
 *     jwt    AuthenticationCleartextPassword → PasswordMessage(token) → AuthenticationOk
 * then ParameterStatus × n, BackendKeyData, ReadyForQuery
 * </pre>
 */
final class StartupFlow {
    private final PgConnectionHandler conn;
    private final ServerContext server;
    private Map<String, String> startupParams;
    private Session.Replication replication;
    private Map<String, String> settings;
    private ScramExchange scram;
    private boolean tlsDone;
    private boolean scramStarted;

    StartupFlow(PgConnectionHandler conn, ServerContext server) {
        this.conn = conn;
        this.server = server;
    }

    /** Handles a packet before the StartupMessage. */
    void onPacket(ChannelHandlerContext ctx, StartupPacket p) {
        if (p instanceof StartupPacket.SslRequest) {
            boolean tls = server.sslContext() != null && !tlsDone;
            ctx.writeAndFlush(ctx.alloc().buffer(1).writeByte(tls ? 'S' : 'N'));
            if (tls) {
                tlsDone = true;
                ctx.pipeline().addFirst("tls", server.sslContext().newHandler(ctx.alloc()));
            }
        } else if (p instanceof StartupPacket.GssEncRequest) {
            ctx.writeAndFlush(ctx.alloc().buffer(1).writeByte('N'));
        } else if (p instanceof StartupPacket.CancelRequest c) {
            conn.registry().cancel(c.processId(), c.secretKey());
            ctx.close();
        } else if (p instanceof StartupPacket.StartupMessage m) {
            startup(ctx, m);
        }
    }

    private void startup(ChannelHandlerContext ctx, StartupPacket.StartupMessage m) {
        if (m.majorVersion() != 3) {
            throw PgException.fatal(SqlState.FEATURE_NOT_SUPPORTED, "unsupported frontend protocol "
                    + m.majorVersion() + "." + m.minorVersion());
        }
        startupParams = m.parameters();
        String user = startupParams.get("user");
        if (user == null || user.isEmpty()) {
            throw PgException.fatal(SqlState.INVALID_AUTHORIZATION_SPECIFICATION, "no PostgreSQL user name "
                    + "specified in startup packet");
        }
        try {
            replication = Session.parseReplication(startupParams.get("replication"));
            settings = StartupOptions.parse(startupParams.getOrDefault("options", ""));
        } catch (IllegalArgumentException e) {
            throw PgException.fatal(SqlState.INVALID_PARAMETER_VALUE, e.getMessage());
        }
        if (startupParams.containsKey("application_name")) {
            settings.putIfAbsent("application_name", startupParams.get("application_name"));
        }
        ByteBuf out = ctx.alloc().buffer(128);
        List<String> unsupported = new ArrayList<>();
        startupParams.keySet().stream().filter(k -> k.startsWith("_pq_.")).forEach(unsupported::add);
        if (m.minorVersion() > 0 || !unsupported.isEmpty()) {
            BackendMessages.negotiateProtocolVersion(out, 0, unsupported);
        }
        AuthConfig.Method method = server.auth().method();
        switch (method) {
            case TRUST -> {
                if (!isLoopback(ctx.channel().remoteAddress())) {
                    out.release();
                    throw PgException.fatal(SqlState.INVALID_AUTHORIZATION_SPECIFICATION, "trust authentication "
                            + "accepts connections from the loopback interface only, not from "
                            + ctx.channel().remoteAddress() + ": configure --auth scram or --auth jwt");
                }
                ctx.write(out);
                succeed(ctx, Access.all());
                return;
            }
            case SCRAM -> {
                scram = new ScramExchange(user, server.auth().scramUsers());
                BackendMessages.authenticationSasl(out, List.of(ScramExchange.MECHANISM));
            }
            default -> BackendMessages.authenticationCleartextPassword(out);
        }
        ctx.writeAndFlush(out);
        conn.awaitPassword();
    }

    /** Handles a PasswordMessage / SASLInitialResponse / SASLResponse ('p'). */
    void onPassword(ChannelHandlerContext ctx, FrontendMessage msg) {
        if (msg.tag() != FrontendMessage.PASSWORD) {
            throw PgException.fatal(SqlState.PROTOCOL_VIOLATION, "expected a password response, got message type "
                    + FrontendMessage.describeTag(msg.tag()));
        }
        ByteBuf body = msg.content();
        if (server.auth().method() == AuthConfig.Method.JWT) {
            String token = PgFrameDecoder.readCString(body);
            try {
                succeed(ctx, Access.of(server.auth().jwtVerifier().verify(token == null ? "" : token)));
            } catch (JwtException e) {
                throw PgException.fatal(SqlState.INVALID_PASSWORD, "JWT authentication failed for user \""
                        + startupParams.get("user") + "\": " + e.getMessage());
            }
            return;
        }
        if (!scramStarted) {
            String mechanism = PgFrameDecoder.readCString(body);
            if (mechanism == null || body.readableBytes() < 4) {
                throw PgException.fatal(SqlState.PROTOCOL_VIOLATION, "malformed SASLInitialResponse");
            }
            int len = body.readInt();
            if (len < 0 || len != body.readableBytes()) {
                throw PgException.fatal(SqlState.PROTOCOL_VIOLATION, "malformed SASLInitialResponse: data length "
                        + len + " with " + body.readableBytes() + " bytes left");
            }
            byte[] serverFirst = scram.start(mechanism, bytes(body));
            scramStarted = true;
            ByteBuf out = ctx.alloc().buffer(128);
            BackendMessages.authenticationSaslContinue(out, serverFirst);
            ctx.writeAndFlush(out);
        } else {
            byte[] serverFinal = scram.finish(bytes(body));
            ByteBuf out = ctx.alloc().buffer(128);
            BackendMessages.authenticationSaslFinal(out, serverFinal);
            ctx.write(out);
            succeed(ctx, Access.all());
        }
    }

    private void succeed(ChannelHandlerContext ctx, Access access) {
        String user = startupParams.get("user");
        String database = startupParams.getOrDefault("database", user);
        conn.authenticated(new Session(user, database, replication, settings, access, conn.processId()),
                settings.get("application_name"));
    }

    private static byte[] bytes(ByteBuf b) {
        byte[] out = new byte[b.readableBytes()];
        b.readBytes(out);
        return out;
    }

    static boolean isLoopback(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            return inet.getAddress() != null && inet.getAddress().isLoopbackAddress();
        }
        // in-process transports (local, embedded) are not network peers
        return true;
    }
}

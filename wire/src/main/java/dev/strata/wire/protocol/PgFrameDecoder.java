package dev.strata.wire.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The framer: cuts the inbound byte stream into PostgreSQL protocol 3 packets and does nothing else.
 *
 * <p>It emits {@link StartupPacket}s while in {@link State#STARTUP}, then {@link FrontendMessage}s. Memory per
 * connection is bounded: a startup packet may be at most {@link #MAX_STARTUP_LENGTH} bytes (PostgreSQL's own limit,
 * which keeps unauthenticated peers from making the server buffer much), and a regular message at most
 * {@link #maxMessageLength()} bytes of payload; a longer message is skipped as it arrives, without buffering, and
 * reported as {@link OversizedMessage} so the connection can answer and carry on. Bytes that cannot be framed at all
 * become one {@link ProtocolViolation}, after which everything is discarded.
 *
 * <pre>
 * STARTUP     Int32 len, Int32 code, body              (see StartupPacket)
 * MESSAGES    Byte1 tag, Int32 len (incl. itself), payload of len-4 bytes
 * DISCARDING  skipping the rest of an oversized payload
 * FAILED      after a ProtocolViolation: all input dropped until the channel closes
 * </pre>
 */
public final class PgFrameDecoder extends ByteToMessageDecoder {
    /** PostgreSQL's MAX_STARTUP_PACKET_LENGTH. */
    public static final int MAX_STARTUP_LENGTH = 10_000;
    /** Limit on payloads before authentication completes (passwords, SCRAM messages, JWTs). */
    public static final int MAX_UNAUTHENTICATED_LENGTH = 16 * 1024;

    /** Where the framer is in the stream. */
    public enum State { STARTUP, MESSAGES, DISCARDING, FAILED }

    private State state = State.STARTUP;
    private int maxMessageLength = MAX_UNAUTHENTICATED_LENGTH;
    private long discardRemaining;
    private OversizedMessage discarding;

    public State state() {
        return state;
    }

    public int maxMessageLength() {
        return maxMessageLength;
    }

    /** Sets the payload limit for regular messages (the connection raises it after authentication). */
    public void maxMessageLength(int limit) {
        this.maxMessageLength = limit;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        switch (state) {
            case STARTUP -> decodeStartup(in, out);
            case MESSAGES -> decodeMessage(in, out);
            case DISCARDING -> discard(in, out);
            case FAILED -> in.skipBytes(in.readableBytes());
            default -> throw new IllegalStateException("unknown state " + state);
        }
    }

    private void decodeStartup(ByteBuf in, List<Object> out) {
        if (in.readableBytes() < 8) {
            return;
        }
        int start = in.readerIndex();
        int length = in.getInt(start);
        if (length < 8 || length > MAX_STARTUP_LENGTH) {
            fail(in, out, "invalid length of startup packet: " + length + " (8.." + MAX_STARTUP_LENGTH + ")");
            return;
        }
        if (in.readableBytes() < length) {
            return;
        }
        int code = in.getInt(start + 4);
        in.skipBytes(8);
        int bodyLength = length - 8;
        switch (code) {
            case StartupPacket.SSL_REQUEST_CODE -> fixedLength(in, out, bodyLength, 0, new StartupPacket.SslRequest());
            case StartupPacket.GSSENC_REQUEST_CODE ->
                    fixedLength(in, out, bodyLength, 0, new StartupPacket.GssEncRequest());
            case StartupPacket.CANCEL_REQUEST_CODE -> {
                if (bodyLength != 8) {
                    fail(in, out, "invalid length of CancelRequest: " + length + " (expected 16)");
                    return;
                }
                out.add(new StartupPacket.CancelRequest(in.readInt(), in.readInt()));
            }
            default -> {
                if (code >>> 16 != 3) {
                    fail(in, out, "unsupported frontend protocol " + (code >>> 16) + "." + (code & 0xFFFF)
                            + ": Strata speaks protocol 3.0, as PostgreSQL 15 does");
                    return;
                }
                decodeStartupMessage(in, out, code, bodyLength);
            }
        }
    }

    private void fixedLength(ByteBuf in, List<Object> out, int bodyLength, int expected, StartupPacket packet) {
        if (bodyLength != expected) {
            fail(in, out, "invalid length of " + packet.getClass().getSimpleName() + ": " + (bodyLength + 8));
            return;
        }
        if (in.isReadable()) {
            // The client must wait for our one-byte answer before sending more; bytes already here would be
            // read as plaintext ahead of a TLS handshake (CVE-2021-23214), so PostgreSQL refuses them too.
            fail(in, out, "received unencrypted data after " + packet.getClass().getSimpleName());
            return;
        }
        out.add(packet);
    }

    private void decodeStartupMessage(ByteBuf in, List<Object> out, int code, int bodyLength) {
        ByteBuf body = in.readSlice(bodyLength);
        Map<String, String> params = new LinkedHashMap<>();
        while (true) {
            String name = readCString(body);
            if (name == null) {
                fail(in, out, "invalid startup packet layout: expected a NUL terminator as the last byte");
                return;
            }
            if (name.isEmpty()) {
                break;
            }
            String value = readCString(body);
            if (value == null) {
                fail(in, out, "invalid startup packet layout: parameter '" + name + "' has no value");
                return;
            }
            params.put(name, value);
        }
        if (body.isReadable()) {
            fail(in, out, "invalid startup packet layout: " + body.readableBytes() + " bytes after the terminator");
            return;
        }
        state = State.MESSAGES;
        out.add(new StartupPacket.StartupMessage(code >>> 16, code & 0xFFFF, params));
    }

    private void decodeMessage(ByteBuf in, List<Object> out) {
        if (in.readableBytes() < 5) {
            return;
        }
        int start = in.readerIndex();
        byte tag = in.getByte(start);
        long length = in.getUnsignedInt(start + 1);
        if (length < 4) {
            fail(in, out, "invalid message length " + length + " for message type " + FrontendMessage.describeTag(tag)
                    + " (at least 4)");
            return;
        }
        long payload = length - 4;
        if (payload > maxMessageLength) {
            in.skipBytes(5);
            state = State.DISCARDING;
            discardRemaining = payload;
            discarding = new OversizedMessage(tag, payload, maxMessageLength);
            discard(in, out);
            return;
        }
        if (in.readableBytes() < 5 + payload) {
            return;
        }
        in.skipBytes(5);
        out.add(new FrontendMessage(tag, in.readRetainedSlice((int) payload)));
    }

    private void discard(ByteBuf in, List<Object> out) {
        int n = (int) Math.min(in.readableBytes(), discardRemaining);
        in.skipBytes(n);
        discardRemaining -= n;
        if (discardRemaining == 0) {
            state = State.MESSAGES;
            out.add(discarding);
            discarding = null;
        }
    }

    private void fail(ByteBuf in, List<Object> out, String message) {
        state = State.FAILED;
        in.skipBytes(in.readableBytes());
        out.add(new ProtocolViolation(message));
    }

    /** Reads a NUL-terminated UTF-8 string, or returns null when there is no terminator. */
    public static String readCString(ByteBuf buf) {
        int end = buf.indexOf(buf.readerIndex(), buf.writerIndex(), (byte) 0);
        if (end < 0) {
            return null;
        }
        String s = buf.toString(buf.readerIndex(), end - buf.readerIndex(), StandardCharsets.UTF_8);
        buf.readerIndex(end + 1);
        return s;
    }
}

package dev.strata.wire.testkit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Frontend message encoders for tests (what a client sends), each returning a fresh buffer. */
public final class Frontend {
    private Frontend() {
    }

    private static void cstring(ByteBuf b, String s) {
        b.writeBytes(s.getBytes(StandardCharsets.UTF_8)).writeByte(0);
    }

    private static ByteBuf message(char tag, ByteBuf body) {
        ByteBuf b = Unpooled.buffer();
        b.writeByte(tag).writeInt(body.readableBytes() + 4).writeBytes(body);
        body.release();
        return b;
    }

    public static ByteBuf startup(Map<String, String> params) {
        ByteBuf body = Unpooled.buffer();
        body.writeInt(3 << 16);
        params.forEach((k, v) -> {
            cstring(body, k);
            cstring(body, v);
        });
        body.writeByte(0);
        ByteBuf b = Unpooled.buffer();
        b.writeInt(body.readableBytes() + 4).writeBytes(body);
        body.release();
        return b;
    }

    public static ByteBuf sslRequest() {
        return Unpooled.buffer().writeInt(8).writeInt(80877103);
    }

    public static ByteBuf cancel(int pid, int secret) {
        return Unpooled.buffer().writeInt(16).writeInt(80877102).writeInt(pid).writeInt(secret);
    }

    public static ByteBuf query(String sql) {
        ByteBuf body = Unpooled.buffer();
        cstring(body, sql);
        return message('Q', body);
    }

    public static ByteBuf password(String password) {
        ByteBuf body = Unpooled.buffer();
        cstring(body, password);
        return message('p', body);
    }

    public static ByteBuf raw(char tag, byte[] body) {
        return message(tag, Unpooled.wrappedBuffer(body));
    }

    public static ByteBuf parse(String name, String sql) {
        ByteBuf body = Unpooled.buffer();
        cstring(body, name);
        cstring(body, sql);
        body.writeShort(0);
        return message('P', body);
    }

    public static ByteBuf bind(String portal, String statement, int... resultFormats) {
        ByteBuf body = Unpooled.buffer();
        cstring(body, portal);
        cstring(body, statement);
        body.writeShort(0).writeShort(0).writeShort(resultFormats.length);
        for (int f : resultFormats) {
            body.writeShort(f);
        }
        return message('B', body);
    }

    public static ByteBuf describe(char kind, String name) {
        ByteBuf body = Unpooled.buffer();
        body.writeByte(kind);
        cstring(body, name);
        return message('D', body);
    }

    public static ByteBuf execute(String portal, int maxRows) {
        ByteBuf body = Unpooled.buffer();
        cstring(body, portal);
        body.writeInt(maxRows);
        return message('E', body);
    }

    public static ByteBuf sync() {
        return message('S', Unpooled.buffer());
    }

    public static ByteBuf terminate() {
        return message('X', Unpooled.buffer());
    }

    public static ByteBuf copyData(byte[] body) {
        return message('d', Unpooled.wrappedBuffer(body));
    }

    public static ByteBuf copyDone() {
        return message('c', Unpooled.buffer());
    }
}

package dev.strata.bench.wire;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * The benchmark client, the same for the pg port and the echo baseline: a blocking NIO socket that sends
 * prebuilt CopyData request frames from one buffer and reads response frames into a large direct buffer (one
 * read call picks up as many responses as the kernel has), so the client costs as little as it can on both sides
 * of the comparison. For the pg port it first runs the startup handshake (trust) and {@code pagestream_v3}.
 */
final class FrameConnection implements AutoCloseable {
    private final SocketChannel channel;
    private final ByteBuffer out = ByteBuffer.allocateDirect(64 * 1024);
    private final ByteBuffer in = ByteBuffer.allocateDirect(1 << 20);
    private int lastFrame;

    private FrameConnection(int port) throws IOException {
        channel = SocketChannel.open();
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        channel.connect(new InetSocketAddress("127.0.0.1", port));
        in.flip();
    }

    static FrameConnection echo(int port) throws IOException {
        return new FrameConnection(port);
    }

    static FrameConnection pageStream(int port, String tenant, String timeline) throws IOException {
        FrameConnection c = new FrameConnection(port);
        byte[] params = "user\0bench\0\0".getBytes(StandardCharsets.UTF_8);
        c.out.putInt(8 + params.length).putInt(3 << 16).put(params);
        c.flush();
        c.until('Z');
        byte[] q = ("pagestream_v3 " + tenant + " " + timeline + "\0").getBytes(StandardCharsets.UTF_8);
        c.out.put((byte) 'Q').putInt(4 + q.length).put(q);
        c.flush();
        c.until('W');
        return c;
    }

    private void until(char type) throws IOException {
        while (true) {
            byte t = frame();
            if (t == 'E') {
                throw new IOException("the server answered with an error");
            }
            if (t == type) {
                return;
            }
        }
    }

    /** A v3 GetPage request frame (CopyData included). */
    static byte[] getPage(long reqId, int blkno) {
        ByteBuffer b = ByteBuffer.allocate(5 + 42);
        b.put((byte) 'd').putInt(4 + 42).put((byte) 2).putLong(reqId).putLong(-1L).putLong(BenchStorage.LSN)
                .putInt(BenchStorage.REL.spcNode()).putInt(BenchStorage.REL.dbNode())
                .putInt(BenchStorage.REL.relNode()).put((byte) 0).putInt(blkno);
        return b.array();
    }

    void send(byte[] frame) throws IOException {
        if (out.remaining() < frame.length) {
            flush();
        }
        out.put(frame);
    }

    void flush() throws IOException {
        out.flip();
        while (out.hasRemaining()) {
            channel.write(out);
        }
        out.clear();
    }

    /** Consumes one whole frame from the input; returns its type (the body stays readable until the next call). */
    private byte frame() throws IOException {
        fill(5);
        int len = in.getInt(in.position() + 1);
        fill(1 + len);
        byte type = in.get(in.position());
        lastFrame = in.position() + 5;
        in.position(in.position() + 1 + len);
        return type;
    }

    private void fill(int need) throws IOException {
        while (in.remaining() < need) {
            in.compact();
            if (channel.read(in) < 0) {
                throw new IOException("the server closed the connection");
            }
            in.flip();
        }
    }

    /** Reads one response frame; returns its body length. */
    int read() throws IOException {
        byte t = frame();
        int len = in.getInt(lastFrame - 4) - 4;
        if (t != 'd' || in.get(lastFrame) == 103) {
            throw new IOException("unexpected response: type " + (char) t + ", tag " + in.get(lastFrame));
        }
        return len;
    }

    /** True when a whole response is already in the input buffer. */
    boolean hasBufferedInput() {
        return in.remaining() >= 5 && in.remaining() >= 1 + in.getInt(in.position() + 1);
    }

    /** The v3 request id echoed by the last response. */
    long lastReqId() {
        return in.getLong(lastFrame + 1);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}

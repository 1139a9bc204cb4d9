package dev.strata.wire.copy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;

/**
 * An OutputStream that sends what is written as CopyData messages of up to {@link #CHUNK} bytes, each optionally
 * starting with a one-byte kind (BASE_BACKUP's {@code 'd'}), waiting while the client is slow to read. Memory is
 * one chunk plus the channel's outbound buffer up to its high water mark. Meant for one producer thread off the
 * event loop; {@link #flush()} does not send partial chunks (the stream is sent as whole chunks and the rest on
 * {@link #close()}).
 *
 * <pre>
 * CopyData: Byte1 'd', Int32 length, [Byte1 kind], data
 * </pre>
 */
public final class CopyOutStream extends OutputStream {
    public static final int CHUNK = 64 * 1024;

    private final Channel channel;
    private final WritabilityGate gate;
    private final int kind;
    private ByteBuf chunk;
    private long bytes;
    private boolean closed;

    /** @param kind the byte each CopyData payload starts with, or -1 for none */
    public CopyOutStream(Channel channel, WritabilityGate gate, int kind) {
        this.channel = channel;
        this.gate = gate;
        this.kind = kind;
    }

    @Override
    public void write(int b) throws IOException {
        ensureChunk();
        chunk.writeByte(b);
        bytes++;
        if (!chunk.isWritable()) {
            send();
        }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            ensureChunk();
            int n = Math.min(len, chunk.writableBytes());
            chunk.writeBytes(b, off, n);
            off += n;
            len -= n;
            bytes += n;
            if (!chunk.isWritable()) {
                send();
            }
        }
    }

    private void ensureChunk() throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedIOException("canceled");
        }
        if (chunk == null) {
            int header = 5 + (kind >= 0 ? 1 : 0);
            chunk = channel.alloc().buffer(header + CHUNK, header + CHUNK);
            chunk.writeByte('d').writeInt(0);
            if (kind >= 0) {
                chunk.writeByte(kind);
            }
        }
    }

    private void send() throws IOException {
        ByteBuf c = chunk;
        chunk = null;
        c.setInt(1, c.readableBytes() - 1);
        try {
            gate.awaitWritable();
        } catch (IOException e) {
            c.release();
            throw e;
        }
        channel.writeAndFlush(c, channel.voidPromise());
    }

    /** Bytes written so far (excluding framing). */
    public long bytes() {
        return bytes;
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        try {
            if (chunk != null && chunk.readableBytes() > 5 + (kind >= 0 ? 1 : 0)) {
                send();
            }
        } finally {
            if (chunk != null) {
                chunk.release();
                chunk = null;
            }
            closed = true;
        }
    }

    /** Releases a partly filled chunk without sending it (on failure). */
    public void abort() {
        if (chunk != null) {
            chunk.release();
            chunk = null;
        }
        closed = true;
    }
}

package dev.strata.wire.copy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;

/**
 * An OutputStream that sends what is written as CopyData messages of up to {@link #CHUNK} bytes (or the chunk size
 * it is built with), each optionally starting with a one-byte kind (BASE_BACKUP's {@code 'd'}), waiting while the
 * client is slow to read. Memory is one chunk plus the channel's outbound buffer up to its high water mark. Meant
 * for one producer thread off the event loop: every chunk is one task handed to the channel's event loop, which
 * wakes that thread when it sleeps, so a bulk stream (a backup) takes larger chunks ({@link #BULK_CHUNK}) to wake
 * it less often. {@link #flush()} does not send partial chunks (the stream is sent as whole chunks and the rest on
 * {@link #close()}).
 *
 * <pre>
 * CopyData: Byte1 'd', Int32 length, [Byte1 kind], data
 * </pre>
 */
public final class CopyOutStream extends OutputStream {
    public static final int CHUNK = 64 * 1024;
    /**
     * Chunk size for bulk streams: 256 KiB, a quarter of the channels' 1 MiB high water mark, so that four chunks
     * are in flight before the producer waits. Clients take CopyData of any length (libpq reads a whole message
     * before it returns it, whatever its size).
     */
    public static final int BULK_CHUNK = 256 * 1024;

    private final Channel channel;
    private final WritabilityGate gate;
    private final int kind;
    private final int chunkSize;
    private ByteBuf chunk;
    private long bytes;
    private boolean closed;

    /** @param kind the byte each CopyData payload starts with, or -1 for none */
    public CopyOutStream(Channel channel, WritabilityGate gate, int kind) {
        this(channel, gate, kind, CHUNK);
    }

    /**
     * @param kind      the byte each CopyData payload starts with, or -1 for none
     * @param chunkSize payload bytes per CopyData message (the kind byte excluded)
     */
    public CopyOutStream(Channel channel, WritabilityGate gate, int kind, int chunkSize) {
        if (chunkSize <= 0) {
            throw new IllegalArgumentException("chunk size must be positive, not " + chunkSize);
        }
        this.channel = channel;
        this.gate = gate;
        this.kind = kind;
        this.chunkSize = chunkSize;
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
            chunk = channel.alloc().buffer(header + chunkSize, header + chunkSize);
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

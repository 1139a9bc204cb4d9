package dev.strata.replication.pgwire;

import java.io.DataInput;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The framer for backend messages on a blocking stream: {@code Byte1 type, Int32 length (including itself),
 * payload}. Only framing happens here; what a message means is the connection's business.
 */
public final class MessageReader {
    /** Larger than any message the walsender sends (CopyData is at most 128 KB of WAL plus a header). */
    static final int MAX_MESSAGE = 64 << 20;

    private final Counting counting;
    private final DataInputStream in;
    private long bytesRead;

    public MessageReader(InputStream in) {
        this.counting = new Counting(in);
        this.in = new DataInputStream(counting);
    }

    /** Takes a CopyData message's payload straight from the stream instead of from an array. */
    public interface CopyDataReader {
        /** Reads exactly {@code length} bytes, the whole payload, from {@code in}. */
        void read(DataInput in, int length) throws IOException;
    }

    /**
     * Reads one whole message.
     *
     * @throws EOFException when the server closed the connection
     * @throws IOException  when the length field is impossible (the stream is not the Postgres protocol)
     */
    public BackendMessage read() throws IOException {
        return read(null);
    }

    /**
     * Reads one whole message like {@link #read()}, except that a CopyData message's payload goes to
     * {@code copyData}, read from the stream into wherever it needs the bytes (no intermediate array per message);
     * then this returns null. With a null {@code copyData}, every message is returned whole.
     *
     * @throws IOException when the reader does not consume exactly the payload (the stream would lose its framing)
     */
    public BackendMessage read(CopyDataReader copyData) throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new EOFException("the server closed the connection");
        }
        int len = in.readInt();
        if (len < 4 || len > MAX_MESSAGE) {
            throw new IOException("message type '" + (char) type + "' has impossible length " + len
                    + " after " + bytesRead + " bytes from the server");
        }
        if (copyData == null || type != BackendMessage.COPY_DATA) {
            byte[] payload = new byte[len - 4];
            in.readFully(payload);
            bytesRead += 1 + len;
            return new BackendMessage((byte) type, payload);
        }
        long before = counting.count;
        copyData.read(in, len - 4);
        long consumed = counting.count - before;
        if (consumed != len - 4) {
            throw new IOException("a CopyData message of " + (len - 4) + " bytes was consumed as " + consumed
                    + " bytes after " + bytesRead + " bytes from the server");
        }
        bytesRead += 1 + len;
        return null;
    }

    /** Reads the single byte that answers an SSLRequest ('S' or 'N'). */
    public int readSslAnswer() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("the server closed the connection after SSLRequest");
        }
        return b;
    }

    public long bytesRead() {
        return bytesRead;
    }

    /** Counts the bytes taken from the stream, so that a CopyData reader's consumption can be checked. */
    private static final class Counting extends FilterInputStream {
        long count;

        Counting(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long k = in.skip(n);
            count += Math.max(0, k);
            return k;
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }
}

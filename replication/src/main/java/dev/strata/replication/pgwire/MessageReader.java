package dev.strata.replication.pgwire;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * The framer for backend messages on a blocking stream: {@code Byte1 type, Int32 length (including itself),
 * payload}. Only framing happens here; what a message means is the connection's business.
 */
public final class MessageReader {
    /** Larger than any message the walsender sends (CopyData is at most 128 KB of WAL plus a header). */
    static final int MAX_MESSAGE = 64 << 20;

    private final DataInputStream in;
    private long bytesRead;

    public MessageReader(InputStream in) {
        this.in = new DataInputStream(in);
    }

    /**
     * Reads one whole message.
     *
     * @throws EOFException when the server closed the connection
     * @throws IOException  when the length field is impossible (the stream is not the Postgres protocol)
     */
    public BackendMessage read() throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new EOFException("the server closed the connection");
        }
        int len = in.readInt();
        if (len < 4 || len > MAX_MESSAGE) {
            throw new IOException("message type '" + (char) type + "' has impossible length " + len
                    + " after " + bytesRead + " bytes from the server");
        }
        byte[] payload = new byte[len - 4];
        in.readFully(payload);
        bytesRead += 1 + len;
        return new BackendMessage((byte) type, payload);
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
}

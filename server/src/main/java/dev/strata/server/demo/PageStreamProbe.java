package dev.strata.server.demo;

import dev.strata.storage.pg.RelTag;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.ByteArrayOutputStream;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The smallest page-service client the demo needs: one trust-authenticated connection to the pg port, the
 * {@code pagestream_v2} command, and GetPage requests (DESIGN A.5), so that the tour reads a page exactly as a
 * compute node would.
 *
 * <pre>
 * startup:   Int32 length, Int32 196608 (3.0), "user\0postgres\0database\0postgres\0\0"
 * then:      AuthenticationOk, ParameterStatus..., BackendKeyData, ReadyForQuery
 * query:     'Q' "pagestream_v2 TENANT TIMELINE\0"  ->  'W' CopyBothResponse
 * request:   'd' CopyData: u8 2 (GetPage), u64 request_lsn, u64 not_modified_since, u32 spc, u32 db, u32 rel,
 *            u8 fork, u32 blkno
 * response:  'd' CopyData: u8 102 + 8192 bytes, or u8 103 + NUL-terminated error text
 * </pre>
 */
final class PageStreamProbe implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;

    private PageStreamProbe(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
        this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
    }

    /** Connects and enters the page stream of one timeline. */
    static PageStreamProbe open(int port, String tenantId, String timelineId) throws IOException {
        PageStreamProbe p = new PageStreamProbe(new Socket("127.0.0.1", port));
        try {
            p.startup();
            p.send('Q', ("pagestream_v2 " + tenantId + " " + timelineId + "\0").getBytes(StandardCharsets.UTF_8));
            p.expect('W');
            return p;
        } catch (IOException e) {
            p.close();
            throw e;
        }
    }

    private void startup() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        DataOutputStream b = new DataOutputStream(body);
        b.writeInt(196608);
        b.write("user\0postgres\0database\0postgres\0\0".getBytes(StandardCharsets.US_ASCII));
        out.writeInt(body.size() + 4);
        out.write(body.toByteArray());
        out.flush();
        while (true) {
            char type = (char) in.readUnsignedByte();
            byte[] msg = new byte[in.readInt() - 4];
            in.readFully(msg);
            if (type == 'E') {
                throw new IOException("the pg port refused the connection: " + errorText(msg));
            }
            if (type == 'R' && (msg[3] != 0 || msg[0] != 0 || msg[1] != 0 || msg[2] != 0)) {
                throw new IOException("the pg port asks for a password; the demo's server runs with auth trust");
            }
            if (type == 'Z') {
                return;
            }
        }
    }

    /** GetPage at {@code lsn} (the LSN the caller wants; not_modified_since is the same). */
    byte[] getPage(RelTag rel, int blkno, long lsn) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        DataOutputStream b = new DataOutputStream(body);
        b.writeByte(2);
        b.writeLong(lsn);
        b.writeLong(lsn);
        b.writeInt(rel.spcNode());
        b.writeInt(rel.dbNode());
        b.writeInt(rel.relNode());
        b.writeByte(rel.forkNum());
        b.writeInt(blkno);
        send('d', body.toByteArray());
        byte[] resp = expect('d');
        if (resp[0] == 103) {
            throw new IOException("the page service answered with an error: "
                    + new String(resp, 1, resp.length - 2, StandardCharsets.UTF_8));
        }
        if (resp[0] != 102 || resp.length != 1 + 8192) {
            throw new IOException("unexpected page service response: tag " + resp[0] + ", " + resp.length + " bytes");
        }
        byte[] page = new byte[8192];
        System.arraycopy(resp, 1, page, 0, 8192);
        return page;
    }

    private void send(char type, byte[] body) throws IOException {
        out.writeByte(type);
        out.writeInt(body.length + 4);
        out.write(body);
        out.flush();
    }

    private byte[] expect(char wanted) throws IOException {
        while (true) {
            char type = (char) in.readUnsignedByte();
            byte[] msg = new byte[in.readInt() - 4];
            in.readFully(msg);
            if (type == wanted) {
                return msg;
            }
            if (type == 'E') {
                throw new IOException("the pg port answered with an error: " + errorText(msg));
            }
        }
    }

    /** The 'M' (message) field of an ErrorResponse. */
    private static String errorText(byte[] msg) {
        int i = 0;
        while (i < msg.length && msg[i] != 0) {
            int end = i + 1;
            while (end < msg.length && msg[end] != 0) {
                end++;
            }
            if (msg[i] == 'M') {
                return new String(msg, i + 1, end - i - 1, StandardCharsets.UTF_8);
            }
            i = end + 1;
        }
        return "(no message)";
    }

    @Override
    public void close() throws IOException {
        try {
            if (!socket.isClosed()) {
                out.writeByte('c');
                out.writeInt(4);
                out.writeByte('X');
                out.writeInt(4);
                out.flush();
            }
        } catch (IOException ignored) {
            // the server may already have closed the stream; closing the socket below is what matters
        } finally {
            socket.close();
        }
    }
}

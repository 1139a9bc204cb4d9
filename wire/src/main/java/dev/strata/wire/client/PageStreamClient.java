package dev.strata.wire.client;

import dev.strata.storage.pg.RelTag;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The compute side of Neon's pagestream v2/v3 over a {@link PgWireClient} that has entered the stream: encodes
 * requests as CopyData (buffered until {@link #flush()}, so callers can pipeline) and decodes responses. See
 * {@code dev.strata.wire.pagestream.PageStreamCodec} for the layouts.
 */
public final class PageStreamClient {
    /**
     * One response. For v3 {@code reqId}, {@code requestLsn} and {@code notModifiedSince} echo the request; for
     * v2 they are 0. Which value field is set depends on {@code tag}.
     */
    public record Response(int tag, long reqId, long requestLsn, long notModifiedSince, boolean exists, int nblocks,
                           long dbSize, byte[] data, String error) {
        public boolean isError() {
            return tag == 103;
        }
    }

    private final PgWireClient conn;
    private final int version;

    PageStreamClient(PgWireClient conn, int version) {
        this.conn = conn;
        this.version = version;
    }

    public int version() {
        return version;
    }

    private DataOutputStream begin(int tag, long reqId, long lsn, long nms, int bodyLength) throws IOException {
        DataOutputStream o = conn.output();
        int len = 1 + (version == 3 ? 24 : 16) + bodyLength;
        o.writeByte('d');
        o.writeInt(len + 4);
        o.writeByte(tag);
        if (version == 3) {
            o.writeLong(reqId);
        }
        o.writeLong(lsn);
        o.writeLong(nms);
        return o;
    }

    private static void rel(DataOutputStream o, RelTag rel) throws IOException {
        o.writeInt(rel.spcNode());
        o.writeInt(rel.dbNode());
        o.writeInt(rel.relNode());
        o.writeByte(rel.forkNum());
    }

    public void exists(long reqId, long lsn, long nms, RelTag rel) throws IOException {
        rel(begin(0, reqId, lsn, nms, 13), rel);
    }

    public void nblocks(long reqId, long lsn, long nms, RelTag rel) throws IOException {
        rel(begin(1, reqId, lsn, nms, 13), rel);
    }

    public void getPage(long reqId, long lsn, long nms, RelTag rel, int blkno) throws IOException {
        DataOutputStream o = begin(2, reqId, lsn, nms, 17);
        rel(o, rel);
        o.writeInt(blkno);
    }

    public void dbSize(long reqId, long lsn, long nms, int db) throws IOException {
        begin(3, reqId, lsn, nms, 4).writeInt(db);
    }

    public void slruSegment(long reqId, long lsn, long nms, int kind, int segno) throws IOException {
        DataOutputStream o = begin(4, reqId, lsn, nms, 5);
        o.writeByte(kind);
        o.writeInt(segno);
    }

    /** Sends a raw CopyData body (for malformed-request tests). */
    public void raw(byte[] body) throws IOException {
        conn.send((byte) 'd', body);
    }

    public void flush() throws IOException {
        conn.flush();
    }

    /** Reads the next response; throws on anything but CopyData. */
    public Response read() throws IOException {
        PgWireClient.Message m = conn.read();
        if (m.type() == 'E') {
            throw PgWireClient.error(m);
        }
        if (m.type() != 'd') {
            throw new IOException("expected CopyData in the page stream, got '" + (char) m.type() + "'");
        }
        return decode(m.body());
    }

    Response decode(byte[] b) throws IOException {
        ByteBuffer bb = ByteBuffer.wrap(b);
        int tag = bb.get() & 0xFF;
        long reqId = 0;
        long lsn = 0;
        long nms = 0;
        if (version == 3) {
            reqId = bb.getLong();
            lsn = bb.getLong();
            nms = bb.getLong();
            int echo = switch (tag) {
                case 100, 101 -> 13;
                case 102 -> 17;
                case 104 -> 4;
                case 105 -> 5;
                default -> 0;
            };
            bb.position(bb.position() + echo);
        }
        return switch (tag) {
            case 100 -> new Response(tag, reqId, lsn, nms, bb.get() != 0, 0, 0, null, null);
            case 101 -> new Response(tag, reqId, lsn, nms, false, bb.getInt(), 0, null, null);
            case 102 -> new Response(tag, reqId, lsn, nms, false, 0, 0, rest(bb), null);
            case 104 -> new Response(tag, reqId, lsn, nms, false, 0, bb.getLong(), null, null);
            case 105 -> {
                int n = bb.getInt();
                yield new Response(tag, reqId, lsn, nms, false, n, 0, rest(bb), null);
            }
            case 103 -> {
                byte[] text = rest(bb);
                int end = text.length > 0 && text[text.length - 1] == 0 ? text.length - 1 : text.length;
                yield new Response(tag, reqId, lsn, nms, false, 0, 0, null,
                        new String(text, 0, end, StandardCharsets.UTF_8));
            }
            default -> throw new IOException("unknown page-service response tag " + tag);
        };
    }

    private static byte[] rest(ByteBuffer bb) {
        byte[] out = new byte[bb.remaining()];
        bb.get(out);
        return out;
    }

    /** Ends the stream with CopyDone and waits for the server's ReadyForQuery. */
    public void end() throws IOException {
        conn.send((byte) 'c', new byte[0]);
        conn.flush();
        conn.expect('Z');
    }
}

package dev.strata.wire.pagestream;

import dev.strata.storage.pg.RelTag;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.nio.charset.StandardCharsets;

/**
 * Neon's pagestream v2 and v3 (libs/pageserver_api/src/pagestream_api.rs): each request and each response is the
 * body of one CopyData message; integers big-endian.
 *
 * <pre>
 * request header   v2: u8 tag, u64 request_lsn, u64 not_modified_since                       (17 bytes)
 *                  v3: u8 tag, u64 reqid, u64 request_lsn, u64 not_modified_since            (25 bytes)
 * request bodies   0 Exists, 1 Nblocks   u32 spc, u32 db, u32 rel, u8 fork                   (13 bytes)
 *                  2 GetPage             RelTag (13) + u32 blkno
 *                  3 DbSize              u32 db
 *                  4 GetSlruSegment      u8 kind (0 clog, 1 multixact members, 2 offsets), u32 segno
 *
 * responses        u8 tag, then in v3 an echo: u64 reqid, u64 request_lsn, u64 not_modified_since and the request
 *                  body (RelTag, blkno, db, or kind + segno; nothing for errors), then:
 *                  100 Exists  u8 exists | 101 Nblocks u32 n | 102 GetPage 8192 bytes
 *                  103 Error   NUL-terminated UTF-8 message (the stream stays open)
 *                  104 DbSize  i64 bytes | 105 GetSlruSegment u32 nblocks + nblocks × 8192 bytes
 * </pre>
 *
 * Encoders return a whole CopyData message ({@code 'd', Int32 length}, then the response) in one buffer sized
 * exactly, which the caller owns.
 */
public final class PageStreamCodec {
    public static final int EXISTS_RESPONSE = 100;
    public static final int NBLOCKS_RESPONSE = 101;
    public static final int GET_PAGE_RESPONSE = 102;
    public static final int ERROR_RESPONSE = 103;
    public static final int DB_SIZE_RESPONSE = 104;
    public static final int GET_SLRU_SEGMENT_RESPONSE = 105;
    public static final int PAGE_SIZE = 8192;
    /** The longest valid request (v3 GetPage). */
    public static final int MAX_REQUEST_LENGTH = 25 + 17;

    private final boolean v3;

    public PageStreamCodec(int version) {
        if (version != 2 && version != 3) {
            throw new IllegalArgumentException("pagestream version " + version + " (2 or 3)");
        }
        this.v3 = version == 3;
    }

    public int version() {
        return v3 ? 3 : 2;
    }

    /** Parses one request body; the buffer is not released. */
    public PageRequest parse(ByteBuf in) throws BadPageRequest {
        int header = v3 ? 25 : 17;
        if (in.readableBytes() < header) {
            throw bad(in, "request of " + in.readableBytes() + " bytes is shorter than the " + header
                    + "-byte v" + version() + " header");
        }
        int start = in.readerIndex();
        int tag = in.getUnsignedByte(start);
        long reqId = v3 ? in.getLong(start + 1) : 0;
        long lsn = in.getLong(start + header - 16);
        long nms = in.getLong(start + header - 8);
        int bodyLength = in.readableBytes() - header;
        int expected = switch (tag) {
            case PageRequest.EXISTS, PageRequest.NBLOCKS -> 13;
            case PageRequest.GET_PAGE -> 17;
            case PageRequest.DB_SIZE -> 4;
            case PageRequest.GET_SLRU_SEGMENT -> 5;
            default -> throw new BadPageRequest("unknown request tag " + tag
                    + " (0 Exists, 1 Nblocks, 2 GetPage, 3 DbSize, 4 GetSlruSegment)", reqId, lsn, nms);
        };
        if (bodyLength != expected) {
            throw new BadPageRequest(PageRequest.typeName(tag) + " request body is " + bodyLength + " bytes, expected "
                    + expected, reqId, lsn, nms);
        }
        int b = start + header;
        return switch (tag) {
            case PageRequest.EXISTS -> PageRequest.exists(reqId, lsn, nms, relTag(in, b, reqId, lsn, nms));
            case PageRequest.NBLOCKS -> PageRequest.nblocks(reqId, lsn, nms, relTag(in, b, reqId, lsn, nms));
            case PageRequest.GET_PAGE ->
                    PageRequest.getPage(reqId, lsn, nms, relTag(in, b, reqId, lsn, nms), in.getInt(b + 13));
            case PageRequest.DB_SIZE -> PageRequest.dbSize(reqId, lsn, nms, in.getInt(b));
            default -> {
                int kind = in.getUnsignedByte(b);
                if (kind > 2) {
                    throw new BadPageRequest("unknown SLRU kind " + kind + " (0 pg_xact, 1 multixact members, "
                            + "2 multixact offsets)", reqId, lsn, nms);
                }
                yield PageRequest.slruSegment(reqId, lsn, nms, kind, in.getInt(b + 1));
            }
        };
    }

    private BadPageRequest bad(ByteBuf in, String message) {
        int r = in.readerIndex();
        int n = in.readableBytes();
        long reqId = v3 && n >= 9 ? in.getLong(r + 1) : 0;
        int lsnAt = v3 ? 9 : 1;
        long lsn = n >= lsnAt + 8 ? in.getLong(r + lsnAt) : 0;
        long nms = n >= lsnAt + 16 ? in.getLong(r + lsnAt + 8) : 0;
        return new BadPageRequest(message, reqId, lsn, nms);
    }

    private static RelTag relTag(ByteBuf in, int at, long reqId, long lsn, long nms) throws BadPageRequest {
        int fork = in.getUnsignedByte(at + 12);
        if (fork > RelTag.INIT_FORKNUM) {
            throw new BadPageRequest("fork number " + fork + " is not 0..3 (main, fsm, vm, init)", reqId, lsn, nms);
        }
        return new RelTag(in.getInt(at), in.getInt(at + 4), in.getInt(at + 8), fork);
    }

    private int echoLength(PageRequest r) {
        if (!v3) {
            return 0;
        }
        return 24 + switch (r.tag()) {
            case PageRequest.EXISTS, PageRequest.NBLOCKS -> 13;
            case PageRequest.GET_PAGE -> 17;
            case PageRequest.DB_SIZE -> 4;
            default -> 5;
        };
    }

    private ByteBuf begin(ByteBufAllocator alloc, int tag, PageRequest r, int tail) {
        int body = 1 + echoLength(r) + tail;
        ByteBuf out = alloc.ioBuffer(5 + body, 5 + body);
        out.writeByte('d').writeInt(4 + body).writeByte(tag);
        if (v3) {
            out.writeLong(r.reqId()).writeLong(r.requestLsn()).writeLong(r.notModifiedSince());
            switch (r.tag()) {
                case PageRequest.EXISTS, PageRequest.NBLOCKS -> writeRel(out, r.rel());
                case PageRequest.GET_PAGE -> writeRel(out, r.rel()).writeInt(r.blkno());
                case PageRequest.DB_SIZE -> out.writeInt(r.dbNode());
                default -> out.writeByte(r.slruKind()).writeInt(r.slruSegno());
            }
        }
        return out;
    }

    private static ByteBuf writeRel(ByteBuf out, RelTag rel) {
        return out.writeInt(rel.spcNode()).writeInt(rel.dbNode()).writeInt(rel.relNode()).writeByte(rel.forkNum());
    }

    public ByteBuf exists(ByteBufAllocator alloc, PageRequest r, boolean exists) {
        return begin(alloc, EXISTS_RESPONSE, r, 1).writeByte(exists ? 1 : 0);
    }

    public ByteBuf nblocks(ByteBufAllocator alloc, PageRequest r, int nblocks) {
        return begin(alloc, NBLOCKS_RESPONSE, r, 4).writeInt(nblocks);
    }

    /** GetPage response; {@code page} null means an all-zero page. */
    public ByteBuf page(ByteBufAllocator alloc, PageRequest r, byte[] page) {
        ByteBuf out = begin(alloc, GET_PAGE_RESPONSE, r, PAGE_SIZE);
        if (page == null) {
            return out.writeZero(PAGE_SIZE);
        }
        if (page.length != PAGE_SIZE) {
            out.release();
            throw new IllegalStateException("storage returned a page of " + page.length + " bytes, not " + PAGE_SIZE);
        }
        return out.writeBytes(page);
    }

    public ByteBuf dbSize(ByteBufAllocator alloc, PageRequest r, long bytes) {
        return begin(alloc, DB_SIZE_RESPONSE, r, 8).writeLong(bytes);
    }

    public ByteBuf slruSegment(ByteBufAllocator alloc, PageRequest r, byte[] segment) {
        if (segment.length % PAGE_SIZE != 0) {
            throw new IllegalStateException("SLRU segment of " + segment.length + " bytes is not whole pages");
        }
        return begin(alloc, GET_SLRU_SEGMENT_RESPONSE, r, 4 + segment.length).writeInt(segment.length / PAGE_SIZE)
                .writeBytes(segment);
    }

    /** Error response echoing the request header (v3). */
    public ByteBuf error(ByteBufAllocator alloc, long reqId, long requestLsn, long notModifiedSince, String text) {
        byte[] message = text.replace('\0', ' ').getBytes(StandardCharsets.UTF_8);
        int body = 1 + (v3 ? 24 : 0) + message.length + 1;
        ByteBuf out = alloc.ioBuffer(5 + body, 5 + body);
        out.writeByte('d').writeInt(4 + body).writeByte(ERROR_RESPONSE);
        if (v3) {
            out.writeLong(reqId).writeLong(requestLsn).writeLong(notModifiedSince);
        }
        return out.writeBytes(message).writeByte(0);
    }

    public ByteBuf error(ByteBufAllocator alloc, PageRequest r, String message) {
        return error(alloc, r.reqId(), r.requestLsn(), r.notModifiedSince(), message);
    }
}

package dev.strata.replication.ingest;

import dev.strata.storage.pg.RelTag;
import dev.strata.storage.wal.DecodedRecord;
import dev.strata.storage.wal.RecordDecoder;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds PostgreSQL 15 XLogRecords byte by byte for tests: the 24-byte header, block headers (with an uncompressed
 * full-page image when asked), the main data header, then block images and data, then the main data.
 */
final class RecordBuilder {
    private final int rmid;
    private final int info;
    private int xid;
    private final List<byte[]> blockHeaders = new ArrayList<>();
    private final ByteArrayOutputStream blockPayloads = new ByteArrayOutputStream();
    private byte[] main = new byte[0];

    RecordBuilder(int rmid, int info) {
        this.rmid = rmid;
        this.info = info;
    }

    RecordBuilder xid(int xid) {
        this.xid = xid;
        return this;
    }

    /** A block reference without an image; {@code flags} may include BKPBLOCK_WILL_INIT (0x40). */
    RecordBuilder block(int id, RelTag rel, int blkno, int flags, byte[] data) {
        ByteBuffer h = le(4 + 12 + 4);
        h.put((byte) id).put((byte) (rel.forkNum() | flags | (data.length > 0 ? 0x20 : 0)))
                .putShort((short) data.length);
        h.putInt(rel.spcNode()).putInt(rel.dbNode()).putInt(rel.relNode()).putInt(blkno);
        blockHeaders.add(h.array());
        blockPayloads.writeBytes(data);
        return this;
    }

    /** A block reference with a full-page image to apply (BKPIMAGE_APPLY, no hole, uncompressed). */
    RecordBuilder blockWithImage(int id, RelTag rel, int blkno, byte[] page) {
        ByteBuffer h = le(4 + 5 + 12 + 4);
        h.put((byte) id).put((byte) (rel.forkNum() | 0x10)).putShort((short) 0);
        h.putShort((short) 8192).putShort((short) 0).put((byte) 0x02);
        h.putInt(rel.spcNode()).putInt(rel.dbNode()).putInt(rel.relNode()).putInt(blkno);
        blockHeaders.add(h.array());
        blockPayloads.writeBytes(page);
        return this;
    }

    RecordBuilder main(byte[] data) {
        this.main = data;
        return this;
    }

    RecordBuilder main(ByteBuffer data) {
        byte[] b = new byte[data.position()];
        data.flip();
        data.get(b);
        return main(b);
    }

    static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The record as stored at [lsn, lsn + total length rounded up to 8). */
    DecodedRecord at(long lsn) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        blockHeaders.forEach(body::writeBytes);
        if (main.length > 0) {
            if (main.length < 256) {
                body.write(255);
                body.write(main.length);
            } else {
                body.write(254);
                body.writeBytes(le(4).putInt(main.length).array());
            }
        }
        body.writeBytes(blockPayloads.toByteArray());
        body.writeBytes(main);
        byte[] payload = body.toByteArray();
        int total = 24 + payload.length;
        ByteBuffer raw = le(total);
        raw.putInt(total).putInt(xid).putLong(lsn - 64).put((byte) info).put((byte) rmid).putShort((short) 0)
                .putInt(0).put(payload);
        return RecordDecoder.decode(raw.array(), lsn, lsn + ((total + 7) & ~7));
    }
}

package dev.strata.storage.redo;

import dev.strata.storage.pg.RelTag;
import dev.strata.storage.wal.DecodedRecord;
import dev.strata.storage.wal.RecordDecoder;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Builds raw PostgreSQL 15 XLogRecords for tests, in the on-disk layout: 24-byte header, block headers (images
 * uncompressed, with a hole when asked), main-data header, then payloads; CRC-32C over payload then header.
 */
public final class XLogRecordBuilder {
    private final int rmid;
    private final int info;
    private int xid;
    private final List<Block> blocks = new ArrayList<>();
    private byte[] main = new byte[0];

    private record Block(int id, RelTag rel, int blkno, boolean willInit, byte[] data, byte[] image, int holeOffset,
                         int holeLength, boolean apply) {
    }

    private XLogRecordBuilder(int rmid, int info) {
        this.rmid = rmid;
        this.info = info;
    }

    public static XLogRecordBuilder record(int rmid, int info) {
        return new XLogRecordBuilder(rmid, info);
    }

    public XLogRecordBuilder xid(int xid) {
        this.xid = xid;
        return this;
    }

    public XLogRecordBuilder block(int id, RelTag rel, int blkno, byte[] data) {
        blocks.add(new Block(id, rel, blkno, false, data, null, 0, 0, false));
        return this;
    }

    public XLogRecordBuilder willInitBlock(int id, RelTag rel, int blkno, byte[] data) {
        blocks.add(new Block(id, rel, blkno, true, data, null, 0, 0, false));
        return this;
    }

    /** A block with an image of {@code page} (hole [pd_lower, pd_upper) when {@code standard}). */
    public XLogRecordBuilder imageBlock(int id, RelTag rel, int blkno, byte[] page, boolean standard, boolean apply,
                                        byte[] data) {
        return imageBlock(id, rel, blkno, page, standard, apply, false, data);
    }

    /** As above, with the WILL_INIT flag when {@code willInit}. */
    public XLogRecordBuilder imageBlock(int id, RelTag rel, int blkno, byte[] page, boolean standard, boolean apply,
                                        boolean willInit, byte[] data) {
        int lower = (page[12] & 0xFF) | (page[13] & 0xFF) << 8;
        int upper = (page[14] & 0xFF) | (page[15] & 0xFF) << 8;
        int holeOff = 0;
        int holeLen = 0;
        if (standard && lower >= 24 && upper > lower && upper <= 8192) {
            holeOff = lower;
            holeLen = upper - lower;
        }
        byte[] img = new byte[8192 - holeLen];
        System.arraycopy(page, 0, img, 0, holeOff);
        System.arraycopy(page, holeOff + holeLen, img, holeOff, 8192 - holeOff - holeLen);
        blocks.add(new Block(id, rel, blkno, willInit, data, img, holeOff, holeLen, apply));
        return this;
    }

    public XLogRecordBuilder main(byte[] main) {
        this.main = main;
        return this;
    }

    public XLogRecordBuilder main(ByteBuffer main) {
        byte[] b = new byte[main.position()];
        main.flip();
        main.get(b);
        return main(b);
    }

    /** A little-endian buffer for building main or block data. */
    public static ByteBuffer le(int capacity) {
        return ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
    }

    public static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.position()];
        b.flip();
        b.get(out);
        return out;
    }

    public byte[] raw() {
        ByteArrayOutputStream hdrs = new ByteArrayOutputStream();
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        RelTag prev = null;
        for (Block b : blocks) {
            ByteBuffer h = le(64);
            int flags = b.rel.forkNum() | (b.image != null ? 0x10 : 0) | (b.data.length > 0 ? 0x20 : 0)
                    | (b.willInit ? 0x40 : 0) | (b.rel.equals(prev) ? 0x80 : 0);
            h.put((byte) b.id).put((byte) flags).putShort((short) b.data.length);
            if (b.image != null) {
                h.putShort((short) b.image.length).putShort((short) b.holeOffset)
                        .put((byte) ((b.holeLength > 0 ? 1 : 0) | (b.apply ? 2 : 0)));
                payload.writeBytes(b.image);
            }
            if (!b.rel.equals(prev)) {
                h.putInt(b.rel.spcNode()).putInt(b.rel.dbNode()).putInt(b.rel.relNode());
            }
            h.putInt(b.blkno);
            hdrs.writeBytes(bytes(h));
            payload.writeBytes(b.data);
            prev = b.rel;
        }
        if (main.length > 0) {
            ByteBuffer h = le(8);
            if (main.length <= 255) {
                h.put((byte) 255).put((byte) main.length);
            } else {
                h.put((byte) 254).putInt(main.length);
            }
            hdrs.writeBytes(bytes(h));
            payload.writeBytes(main);
        }
        int total = 24 + hdrs.size() + payload.size();
        ByteBuffer r = le(total);
        r.putInt(total).putInt(xid).putLong(0).put((byte) info).put((byte) rmid).putShort((short) 0).putInt(0);
        r.put(hdrs.toByteArray()).put(payload.toByteArray());
        byte[] raw = r.array();
        CRC32C crc = new CRC32C();
        crc.update(raw, 24, total - 24);
        crc.update(raw, 0, 20);
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).putInt(20, (int) crc.getValue());
        return raw;
    }

    public DecodedRecord decoded(long endLsn) {
        return RecordDecoder.decode(raw(), 0, endLsn);
    }
}

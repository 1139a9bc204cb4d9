package dev.strata.storage.wal;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Writes WAL records the way PostgreSQL 15's {@code XLogRecordAssemble} lays them out, for tests: fragment headers,
 * then payloads, with a correct CRC. Fields can be set to invalid values to provoke the decoder's checks.
 */
final class RecordBytes {
    private int xid;
    private long prev;
    private int info;
    private int rmid;
    private final ByteArrayOutputStream headers = new ByteArrayOutputStream();
    private final List<byte[]> payloads = new ArrayList<>();

    static RecordBytes record(int rmid, int info) {
        RecordBytes r = new RecordBytes();
        r.rmid = rmid;
        r.info = info;
        return r;
    }

    RecordBytes xid(int xid) {
        this.xid = xid;
        return this;
    }

    RecordBytes prev(long prev) {
        this.prev = prev;
        return this;
    }

    /** A block header without image; {@code rel} null means SAME_REL. */
    RecordBytes block(int id, int fork, int[] rel, int blkno, byte[] data) {
        int flags = fork | (data.length > 0 ? 0x20 : 0) | (rel == null ? 0x80 : 0);
        headers.write(id);
        headers.write(flags);
        le16(data.length);
        relAndBlock(rel, blkno);
        payloads.add(data);
        return this;
    }

    /** A block header with an image; {@code holeLengthField} is written only when compressed with a hole. */
    RecordBytes blockWithImage(int id, int extraFlags, int[] rel, int blkno, byte[] image, int holeOffset,
                               int bimgInfo, int holeLengthField, byte[] data) {
        int flags = 0x10 | extraFlags | (data.length > 0 ? 0x20 : 0) | (rel == null ? 0x80 : 0);
        headers.write(id);
        headers.write(flags);
        le16(data.length);
        le16(image.length);
        le16(holeOffset);
        headers.write(bimgInfo);
        if ((bimgInfo & 0x1C) != 0 && (bimgInfo & 0x01) != 0) {
            le16(holeLengthField);
        }
        relAndBlock(rel, blkno);
        payloads.add(image);
        payloads.add(data);
        return this;
    }

    RecordBytes raw(int... bytes) {
        for (int b : bytes) {
            headers.write(b);
        }
        return this;
    }

    RecordBytes origin(int origin) {
        headers.write(253);
        le16(origin);
        return this;
    }

    RecordBytes toplevelXid(int xid) {
        headers.write(252);
        le32(xid);
        return this;
    }

    RecordBytes mainData(byte[] data) {
        if (data.length <= 255) {
            headers.write(255);
            headers.write(data.length);
        } else {
            headers.write(254);
            le32(data.length);
        }
        payloads.add(data);
        return this;
    }

    /** Extra payload bytes no header announces. */
    RecordBytes payload(byte[] data) {
        payloads.add(data);
        return this;
    }

    byte[] build() {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(headers.toByteArray());
        payloads.forEach(body::writeBytes);
        byte[] b = body.toByteArray();
        ByteBuffer rec = ByteBuffer.allocate(24 + b.length).order(ByteOrder.LITTLE_ENDIAN);
        rec.putInt(24 + b.length).putInt(xid).putLong(prev).put((byte) info).put((byte) rmid).putShort((short) 0)
                .putInt(0).put(b);
        byte[] raw = rec.array();
        setCrc(raw);
        return raw;
    }

    static void setCrc(byte[] raw) {
        CRC32C crc = new CRC32C();
        crc.update(raw, 24, raw.length - 24);
        crc.update(raw, 0, 20);
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).putInt(20, (int) crc.getValue());
    }

    private void relAndBlock(int[] rel, int blkno) {
        if (rel != null) {
            for (int r : rel) {
                le32(r);
            }
        }
        le32(blkno);
    }

    private void le16(int v) {
        headers.write(v & 0xFF);
        headers.write((v >>> 8) & 0xFF);
    }

    private void le32(int v) {
        le16(v & 0xFFFF);
        le16(v >>> 16);
    }
}

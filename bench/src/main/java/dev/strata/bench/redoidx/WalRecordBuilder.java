package dev.strata.bench.redoidx;

import dev.strata.storage.pg.RelTag;
import dev.strata.storage.wal.DecodedRecord;
import dev.strata.storage.wal.RecordDecoder;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * Encodes a WAL record the way PostgreSQL 15's {@code XLogRecordAssemble} lays it out (header, block headers,
 * main-data header, then each block's data and the main data; CRC-32C over the body then the first 20 header
 * bytes) and decodes it with Strata's {@link RecordDecoder}, so that benchmarks redo records as the WAL reader
 * hands them over. Blocks carry data only (no images); all blocks are in one relation.
 */
final class WalRecordBuilder {
    private static final int BKPBLOCK_HAS_DATA = 0x20;
    private static final int BKPBLOCK_WILL_INIT = 0x40;
    private static final int BKPBLOCK_SAME_REL = 0x80;

    private final RelTag rel;
    private final int rmid;
    private final int info;
    private final ByteArrayOutputStream headers = new ByteArrayOutputStream();
    private final ByteArrayOutputStream payload = new ByteArrayOutputStream();
    private boolean firstBlock = true;

    WalRecordBuilder(RelTag rel, int rmid, int info) {
        this.rel = rel;
        this.rmid = rmid;
        this.info = info;
    }

    WalRecordBuilder block(int id, int blkno, byte[] data, boolean willInit) {
        int flags = rel.forkNum() | (data.length > 0 ? BKPBLOCK_HAS_DATA : 0) | (willInit ? BKPBLOCK_WILL_INIT : 0)
                | (firstBlock ? 0 : BKPBLOCK_SAME_REL);
        ByteBuffer h = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN);
        h.put((byte) id).put((byte) flags).putShort((short) data.length);
        if (firstBlock) {
            h.putInt(rel.spcNode()).putInt(rel.dbNode()).putInt(rel.relNode());
        }
        h.putInt(blkno);
        headers.write(h.array(), 0, h.position());
        payload.writeBytes(data);
        firstBlock = false;
        return this;
    }

    DecodedRecord build(byte[] mainData, long lsn) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(headers.toByteArray());
        if (mainData.length <= 255) {
            body.write(255);
            body.write(mainData.length);
        } else {
            body.write(254);
            body.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(mainData.length).array());
        }
        body.writeBytes(payload.toByteArray());
        body.writeBytes(mainData);
        byte[] b = body.toByteArray();
        byte[] raw = new byte[24 + b.length];
        System.arraycopy(b, 0, raw, 24, b.length);
        ByteBuffer h = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(0, raw.length).putInt(4, 750).putLong(8, lsn - 128);
        raw[16] = (byte) info;
        raw[17] = (byte) rmid;
        CRC32C crc = new CRC32C();
        crc.update(raw, 24, raw.length - 24);
        crc.update(raw, 0, 20);
        h.putInt(20, (int) crc.getValue());
        return RecordDecoder.decode(raw, lsn, (lsn + raw.length + 7) & ~7L);
    }
}

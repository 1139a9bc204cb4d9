package dev.strata.wire.backup;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * A PostgreSQL 15 checkpoint WAL record: exactly 114 bytes, little-endian, no block references.
 *
 * <pre>
 * off size field
 *   0   4  xl_tot_len   114 (the startup process insists on exactly this length)
 *   4   4  xl_xid       0
 *   8   8  xl_prev      LSN of the previous record (0 when unknown; a random-access read only checks &lt; own LSN)
 *  16   1  xl_info      0x00 XLOG_CHECKPOINT_SHUTDOWN or 0x10 XLOG_CHECKPOINT_ONLINE
 *  17   1  xl_rmid      0 (RM_XLOG_ID)
 *  18   2  padding      zeros
 *  20   4  xl_crc       CRC-32C over bytes [24, 114) first, then over bytes [0, 20)
 *  24   1  block id     0xFF (XLR_BLOCK_ID_DATA_SHORT)
 *  25   1  data length  88
 *  26  88  CheckPoint   ({@link CheckPoint})
 * </pre>
 *
 * The next record starts at the record's LSN + 120 (MAXALIGN of 114).
 */
final class CheckpointRecord {
    static final int SIZE = 114;
    static final int ALIGNED_SIZE = 120;
    static final int XLOG_CHECKPOINT_SHUTDOWN = 0x00;
    static final int XLOG_CHECKPOINT_ONLINE = 0x10;
    private static final int HEADER = 24;

    private CheckpointRecord() {
    }

    static byte[] encode(long prevLsn, int info, CheckPoint checkpoint) {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, SIZE);
        b.putInt(4, 0);
        b.putLong(8, prevLsn);
        b.put(16, (byte) info);
        b.put(17, (byte) 0);
        b.put(HEADER, (byte) 0xFF);
        b.put(HEADER + 1, (byte) CheckPoint.SIZE);
        b.put(HEADER + 2, checkpoint.bytes());
        byte[] rec = b.array();
        CRC32C crc = new CRC32C();
        crc.update(rec, HEADER, SIZE - HEADER);
        crc.update(rec, 0, 20);
        b.putInt(20, (int) crc.getValue());
        return rec;
    }
}

package dev.strata.storage.wal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A WAL record after reassembly and decoding: header fields, block references and main data. The bytes stay in
 * {@link #raw()} (the whole record as PostgreSQL wrote it, {@code xl_tot_len} bytes, header first); offsets point
 * into it. Integers inside records are little-endian (x86-64 PostgreSQL).
 */
public final class DecodedRecord {
    /** {@code xl_info} bits the WAL machinery owns; rmgrs mask them off. */
    public static final int XLR_INFO_MASK = 0x0F;
    public static final int XLR_RMGR_INFO_MASK = 0xF0;
    public static final int XLR_CHECK_CONSISTENCY = 0x02;
    public static final int MAX_BLOCK_ID = 32;

    private final long lsn;
    private final long endLsn;
    private final byte[] raw;
    private final BlockRef[] blocks;
    private final int maxBlockId;
    private final int mainDataOffset;
    private final int mainDataLength;
    private final int originId;
    private final int toplevelXid;

    public DecodedRecord(long lsn, long endLsn, byte[] raw, BlockRef[] blocks, int maxBlockId, int mainDataOffset,
                         int mainDataLength, int originId, int toplevelXid) {
        this.lsn = lsn;
        this.endLsn = endLsn;
        this.raw = raw;
        this.blocks = blocks;
        this.maxBlockId = maxBlockId;
        this.mainDataOffset = mainDataOffset;
        this.mainDataLength = mainDataLength;
        this.originId = originId;
        this.toplevelXid = toplevelXid;
    }

    /** Start LSN of the record (what pg_waldump prints). */
    public long lsn() {
        return lsn;
    }

    /** {@code EndRecPtr}: where the next record starts (MAXALIGNed); the LSN redo stamps on pages. */
    public long endLsn() {
        return endLsn;
    }

    /** The whole record; callers must not modify it. */
    public byte[] raw() {
        return raw;
    }

    public int totalLength() {
        return le32(0);
    }

    public int xid() {
        return le32(4);
    }

    public long prev() {
        return ByteBuffer.wrap(raw, 8, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    /** The full {@code xl_info} byte, unsigned. */
    public int info() {
        return raw[16] & 0xFF;
    }

    /** {@code xl_info & 0xF0}: the record type within its resource manager. */
    public int rmgrInfo() {
        return info() & XLR_RMGR_INFO_MASK;
    }

    public int rmid() {
        return raw[17] & 0xFF;
    }

    public int crc() {
        return le32(20);
    }

    /** Block ids 0..{@link #maxBlockId()}; an entry is null where the record skips that id. */
    public BlockRef block(int id) {
        return id <= maxBlockId && id >= 0 ? blocks[id] : null;
    }

    public boolean hasBlock(int id) {
        return block(id) != null;
    }

    /** The highest block id present, or -1 when the record references no block. */
    public int maxBlockId() {
        return maxBlockId;
    }

    public int mainDataOffset() {
        return mainDataOffset;
    }

    public int mainDataLength() {
        return mainDataLength;
    }

    /** A little-endian view of the main data (position 0 = its first byte). */
    public ByteBuffer mainData() {
        return ByteBuffer.wrap(raw, mainDataOffset, mainDataLength).slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** A little-endian view of one block's data (empty when it has none). */
    public ByteBuffer blockData(int id) {
        BlockRef b = blocks[id];
        if (b == null || b.dataLength() == 0) {
            return ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN);
        }
        return ByteBuffer.wrap(raw, b.dataOffset(), b.dataLength()).slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Replication origin id, or 0 ({@code InvalidRepOriginId}) when the record carries none. */
    public int originId() {
        return originId;
    }

    /** Top-level transaction id of a subtransaction's first record, or 0 when absent. */
    public int toplevelXid() {
        return toplevelXid;
    }

    private int le32(int off) {
        return (raw[off] & 0xFF) | (raw[off + 1] & 0xFF) << 8 | (raw[off + 2] & 0xFF) << 16 | (raw[off + 3] & 0xFF) << 24;
    }
}

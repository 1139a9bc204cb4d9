package dev.strata.storage.wal;

/**
 * Decodes one reassembled PostgreSQL 15 WAL record ({@code DecodeXLogRecord} in {@code xlogreader.c}), applying
 * every check PostgreSQL applies, so that a record Strata accepts is one PostgreSQL would replay.
 *
 * <p>Record layout (all integers little-endian, nothing aligned inside the record):
 * <pre>
 * XLogRecord, 24 bytes
 *   0  u32 xl_tot_len   whole record, header included
 *   4  u32 xl_xid
 *   8  u64 xl_prev      start LSN of the previous record
 *  16  u8  xl_info      high nibble: rmgr's record type; low nibble: 0x01 SPECIAL_REL_UPDATE, 0x02 CHECK_CONSISTENCY
 *  17  u8  xl_rmid      0..21 built-in, 128..255 custom
 *  18  2 pad bytes
 *  20  u32 xl_crc       CRC-32C of bytes [24, tot_len) then [0, 20)
 * then fragment headers, in this order:
 *   block header (id 0..32, strictly increasing):
 *     u8 id, u8 fork_flags (fork in the low nibble; 0x10 HAS_IMAGE, 0x20 HAS_DATA, 0x40 WILL_INIT, 0x80 SAME_REL),
 *     u16 data_length (non-zero exactly when HAS_DATA)
 *     if HAS_IMAGE: u16 bimg_len, u16 hole_offset, u8 bimg_info
 *                   (0x01 HAS_HOLE, 0x02 APPLY, 0x04 PGLZ, 0x08 LZ4, 0x10 ZSTD);
 *                   if compressed and HAS_HOLE: u16 hole_length (otherwise hole_length = 8192 - bimg_len
 *                   uncompressed, 0 compressed)
 *     unless SAME_REL: u32 spcNode, u32 dbNode, u32 relNode
 *     u32 block number
 *   origin:        u8 253, u16 RepOriginId
 *   top-level xid: u8 252, u32 TransactionId
 *   main data:     u8 255, u8 length   or   u8 254, u32 length   (always the last header)
 * then payloads: per block in id order its image bytes then its data bytes; then the main data.
 * The payload lengths must add up to exactly the bytes after the headers.
 * </pre>
 *
 * <p>The CRC is not checked here: the stream reader checks it when it reassembles the record (as PostgreSQL does
 * in {@code ValidXLogRecord}); {@link #crcMatches(byte[])} is available to callers holding records from elsewhere.
 */
public final class RecordDecoder {
    public static final int SIZE_OF_XLOG_RECORD = 24;
    public static final int BLCKSZ = 8192;
    public static final int XLR_BLOCK_ID_DATA_SHORT = 255;
    public static final int XLR_BLOCK_ID_DATA_LONG = 254;
    public static final int XLR_BLOCK_ID_ORIGIN = 253;
    public static final int XLR_BLOCK_ID_TOPLEVEL_XID = 252;
    /** The largest built-in resource manager id in PostgreSQL 15 (LogicalMessage). */
    public static final int RM_MAX_BUILTIN_ID = 21;
    /** Custom resource managers use ids 128..255. */
    public static final int RM_MIN_CUSTOM_ID = 128;

    private static final BlockRef[] NO_BLOCKS = new BlockRef[0];

    private RecordDecoder() {
    }

    /**
     * Decodes a whole record.
     *
     * @param raw    exactly {@code xl_tot_len} bytes, header first; kept (not copied) by the result
     * @param lsn    the record's start LSN
     * @param endLsn where the next record starts ({@code EndRecPtr})
     * @throws WalFormatException naming {@code lsn} and the problem when PostgreSQL would reject the record
     */
    public static DecodedRecord decode(byte[] raw, long lsn, long endLsn) {
        checkHeader(raw, lsn);
        RecordParser p = new RecordParser(raw, lsn);
        p.parse(-1);
        int payloadStart = p.pos;
        if (p.maxBlockId >= 0) {
            p.blocks = new BlockRef[p.maxBlockId + 1];
            p.parse(payloadStart);
        } else {
            p.blocks = NO_BLOCKS;
        }
        int mainOffset = raw.length - (int) p.mainDataLength;
        return new DecodedRecord(lsn, endLsn, raw, p.blocks, p.maxBlockId, mainOffset, (int) p.mainDataLength,
                p.originId, p.toplevelXid);
    }

    /** Whether the record's {@code xl_crc} matches its bytes (payload first, then the first 20 header bytes). */
    public static boolean crcMatches(byte[] raw) {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(raw, SIZE_OF_XLOG_RECORD, raw.length - SIZE_OF_XLOG_RECORD);
        crc.update(raw, 0, 20);
        return (int) crc.getValue() == Bytes.le32(raw, 20);
    }

    /** Whether PostgreSQL 15 knows resource manager {@code rmid} as built-in or custom ({@code RmgrIdIsValid}). */
    public static boolean rmgrIdIsValid(int rmid) {
        return (rmid >= 0 && rmid <= RM_MAX_BUILTIN_ID) || (rmid >= RM_MIN_CUSTOM_ID && rmid <= 255);
    }

    private static void checkHeader(byte[] raw, long lsn) {
        if (raw.length < SIZE_OF_XLOG_RECORD) {
            throw new WalFormatException(lsn, "record of " + raw.length + " bytes is shorter than its 24-byte header");
        }
        long totLen = Bytes.le32(raw, 0) & 0xFFFF_FFFFL;
        if (totLen != raw.length) {
            throw new WalFormatException(lsn, "xl_tot_len is " + totLen + " but the record holds " + raw.length
                    + " bytes");
        }
        int rmid = raw[17] & 0xFF;
        if (!rmgrIdIsValid(rmid)) {
            throw new WalFormatException(lsn, "invalid resource manager ID " + rmid);
        }
    }

}

package dev.strata.storage.wal;

import dev.strata.storage.pg.RelTag;

/**
 * The fragment-header loop of {@link RecordDecoder}. It runs twice over a record: the first pass validates every
 * header exactly as {@code DecodeXLogRecord} does and finds where the payloads start; the second pass, knowing
 * that position, creates each {@link BlockRef} once with its final offsets (no intermediate objects per block).
 */
final class RecordParser {
    private static final int BKPBLOCK_FORK_MASK = 0x0F;
    private static final int COMPRESSED_MASK = BlockRef.BKPIMAGE_COMPRESS_PGLZ | BlockRef.BKPIMAGE_COMPRESS_LZ4
            | BlockRef.BKPIMAGE_COMPRESS_ZSTD;
    private static final int BLCKSZ = RecordDecoder.BLCKSZ;

    private final byte[] raw;
    private final long lsn;
    int pos;
    int maxBlockId;
    long mainDataLength;
    int originId;
    int toplevelXid;
    /** Filled by the second pass; null until then. */
    BlockRef[] blocks;

    // the block header being read
    private int id;
    private int forkFlags;
    private int dataLength;
    private int imageLength;
    private int holeOffset;
    private int holeLength;
    private int bimgInfo;
    private int blkno;

    RecordParser(byte[] raw, long lsn) {
        this.raw = raw;
        this.lsn = lsn;
    }

    /**
     * Reads all fragment headers. With {@code payloadStart < 0} it validates; otherwise it fills {@link #blocks}
     * with payload offsets counted from {@code payloadStart}.
     */
    void parse(int payloadStart) {
        pos = RecordDecoder.SIZE_OF_XLOG_RECORD;
        maxBlockId = -1;
        mainDataLength = 0;
        long dataTotal = 0;
        RelTag lastRel = null;
        int payload = payloadStart;
        while (raw.length - pos > dataTotal) {
            int blockId = u8();
            if (blockId == RecordDecoder.XLR_BLOCK_ID_DATA_SHORT) {
                mainDataLength = u8();
                dataTotal += mainDataLength;
                break;
            } else if (blockId == RecordDecoder.XLR_BLOCK_ID_DATA_LONG) {
                mainDataLength = u32();
                dataTotal += mainDataLength;
                break;
            } else if (blockId == RecordDecoder.XLR_BLOCK_ID_ORIGIN) {
                originId = u16();
            } else if (blockId == RecordDecoder.XLR_BLOCK_ID_TOPLEVEL_XID) {
                toplevelXid = (int) u32();
            } else if (blockId <= DecodedRecord.MAX_BLOCK_ID) {
                if (blockId <= maxBlockId) {
                    throw new WalFormatException(lsn, "out-of-order block_id " + blockId);
                }
                maxBlockId = blockId;
                id = blockId;
                lastRel = readBlockHeader(lastRel);
                int image = hasImage() ? imageLength : 0;
                dataTotal += dataLength + image;
                if (payloadStart >= 0) {
                    blocks[blockId] = new BlockRef(blockId, lastRel, blkno, forkFlags, hasImage() ? payload : -1,
                            image, holeOffset, holeLength, bimgInfo, dataLength > 0 ? payload + image : -1,
                            dataLength);
                    payload += image + dataLength;
                }
            } else {
                throw new WalFormatException(lsn, "invalid block_id " + blockId);
            }
        }
        if (raw.length - pos != dataTotal) {
            throw new WalFormatException(lsn, "record with invalid length: the fragment headers announce "
                    + dataTotal + " payload bytes but " + (raw.length - pos) + " follow them (xl_tot_len "
                    + raw.length + ")");
        }
    }

    private boolean hasImage() {
        return (forkFlags & BlockRef.BKPBLOCK_HAS_IMAGE) != 0;
    }

    /** Reads one block header after its id byte; returns the block's relation (for a following SAME_REL). */
    private RelTag readBlockHeader(RelTag lastRel) {
        forkFlags = u8();
        dataLength = u16();
        boolean hasData = (forkFlags & BlockRef.BKPBLOCK_HAS_DATA) != 0;
        if (hasData && dataLength == 0) {
            throw new WalFormatException(lsn, "BKPBLOCK_HAS_DATA set, but no data included (block " + id + ")");
        }
        if (!hasData && dataLength != 0) {
            throw new WalFormatException(lsn, "BKPBLOCK_HAS_DATA not set, but data length is " + dataLength
                    + " (block " + id + ")");
        }
        imageLength = 0;
        holeOffset = 0;
        holeLength = 0;
        bimgInfo = 0;
        if (hasImage()) {
            readImageHeader();
        }
        int fork = forkFlags & BKPBLOCK_FORK_MASK;
        if (fork > RelTag.INIT_FORKNUM) {
            throw new WalFormatException(lsn, "invalid fork number " + fork + " in block " + id);
        }
        RelTag rel;
        if ((forkFlags & BlockRef.BKPBLOCK_SAME_REL) == 0) {
            int spc = (int) u32();
            int db = (int) u32();
            int relNode = (int) u32();
            rel = new RelTag(spc, db, relNode, fork);
        } else if (lastRel == null) {
            throw new WalFormatException(lsn, "BKPBLOCK_SAME_REL set but no previous rel (block " + id + ")");
        } else {
            rel = lastRel.forkNum() == fork ? lastRel : lastRel.withFork(fork);
        }
        blkno = (int) u32();
        return rel;
    }

    /** Reads the image header and applies {@code DecodeXLogRecord}'s cross-checks to it. */
    private void readImageHeader() {
        imageLength = u16();
        holeOffset = u16();
        bimgInfo = u8();
        boolean compressed = (bimgInfo & COMPRESSED_MASK) != 0;
        boolean hasHole = (bimgInfo & BlockRef.BKPIMAGE_HAS_HOLE) != 0;
        if (compressed) {
            holeLength = hasHole ? u16() : 0;
        } else {
            holeLength = BLCKSZ - imageLength;
        }
        if (hasHole && (holeOffset == 0 || holeLength == 0 || imageLength == BLCKSZ)) {
            throw new WalFormatException(lsn, "BKPIMAGE_HAS_HOLE set, but hole offset " + holeOffset + " length "
                    + holeLength + " block image length " + imageLength + " (block " + id + ")");
        }
        if (!hasHole && (holeOffset != 0 || holeLength != 0)) {
            throw new WalFormatException(lsn, "BKPIMAGE_HAS_HOLE not set, but hole offset " + holeOffset
                    + " length " + holeLength + " (block " + id + ")");
        }
        if (compressed && imageLength == BLCKSZ) {
            throw new WalFormatException(lsn, "BKPIMAGE_COMPRESSED set, but block image length " + imageLength
                    + " (block " + id + ")");
        }
        if (!hasHole && !compressed && imageLength != BLCKSZ) {
            throw new WalFormatException(lsn, "neither BKPIMAGE_HAS_HOLE nor BKPIMAGE_COMPRESSED set, but block "
                    + "image length is " + imageLength + " (block " + id + ")");
        }
    }

    /** Fails like PostgreSQL's COPY_HEADER_FIELD when a header runs past the end of the record. */
    private void need(int n) {
        if (raw.length - pos < n) {
            throw new WalFormatException(lsn, "record with invalid length: a fragment header at offset " + pos
                    + " runs past the record's end (" + raw.length + " bytes)");
        }
    }

    private int u8() {
        need(1);
        return raw[pos++] & 0xFF;
    }

    private int u16() {
        need(2);
        int v = Bytes.le16(raw, pos);
        pos += 2;
        return v;
    }

    private long u32() {
        need(4);
        long v = Bytes.le32(raw, pos) & 0xFFFF_FFFFL;
        pos += 4;
        return v;
    }
}

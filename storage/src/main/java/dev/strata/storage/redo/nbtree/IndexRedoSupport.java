package dev.strata.storage.redo.nbtree;

import dev.strata.storage.redo.page.Bytes;
import dev.strata.storage.pg.Lsn;
import dev.strata.storage.redo.RedoException;
import dev.strata.storage.redo.UnsupportedRecordException;
import dev.strata.storage.wal.BlockRef;
import dev.strata.storage.wal.DecodedRecord;

/**
 * What every index access method's redo needs around the page primitives: bounds-checked views of a record's main
 * data and block data, index tuple and item pointer fields, and errors that name the record.
 */
public final class IndexRedoSupport {
    /** sizeof(IndexTupleData): t_tid (6 bytes) then t_info (u16). */
    public static final int INDEX_TUPLE_HEADER = 8;
    public static final int INDEX_SIZE_MASK = 0x1FFF;
    /** INDEX_AM_RESERVED_BIT, btree's INDEX_ALT_TID_MASK. */
    public static final int INDEX_ALT_TID_MASK = 0x2000;

    private IndexRedoSupport() {
    }

    /**
     * The error for a record that cannot be applied to one of its blocks. Any failure while applying one (an offset
     * off the page, a length past the record's data) ends up here, so that bad WAL or a bad base page is reported
     * with the record rather than as a bare runtime exception.
     */
    public static RedoException failure(DecodedRecord record, int blockId, String recordType, Throwable cause) {
        String detail = cause instanceof RedoException ? cause.getMessage() : cause.toString();
        String message = describe(record, blockId, recordType) + ": " + detail;
        return cause instanceof UnsupportedRecordException ? new UnsupportedRecordException(message, cause)
                : new RedoException(message, cause);
    }

    /** The error for a record that cannot be applied to one of its blocks. */
    public static RedoException failure(DecodedRecord record, int blockId, String recordType, String message) {
        return new RedoException(describe(record, blockId, recordType) + ": " + message);
    }

    /** "btree SPLIT_L at 0/1A2B3C8 on 1663/5/16384 block 12 (block id 0)". */
    public static String describe(DecodedRecord record, int blockId, String recordType) {
        BlockRef b = record.block(blockId);
        String where = b == null ? "block id " + blockId + " (not referenced by the record)"
                : b.rel() + " block " + Integer.toUnsignedString(b.blkno()) + " (block id " + blockId + ")";
        return recordType + " at " + Lsn.format(record.lsn()) + " on " + where;
    }

    /** Offset of block {@code id}'s data in {@code record.raw()}, after checking it holds at least {@code min}. */
    public static int blockData(DecodedRecord record, int id, int min) {
        BlockRef b = record.block(id);
        if (b == null || !b.hasData() || b.dataLength() < min) {
            throw new RedoException("block id " + id + " carries " + (b == null || !b.hasData() ? 0 : b.dataLength())
                    + " bytes of data, at least " + min + " needed");
        }
        return b.dataOffset();
    }

    /** Length of block {@code id}'s data (0 when it has none). */
    public static int blockDataLength(DecodedRecord record, int id) {
        BlockRef b = record.block(id);
        return b == null || !b.hasData() ? 0 : b.dataLength();
    }

    /** Offset of the main data in {@code record.raw()}, after checking it holds at least {@code min} bytes. */
    public static int mainData(DecodedRecord record, int min) {
        if (record.mainDataLength() < min) {
            throw new RedoException("main data has " + record.mainDataLength() + " bytes, at least " + min
                    + " needed");
        }
        return record.mainDataOffset();
    }

    /** Refuses a block id other than {@code expected} for a record type that changes a single block. */
    public static void only(int blockId, int expected) {
        if (blockId != expected) {
            throw new RedoException("this record type changes only block id " + expected);
        }
    }

    /** The block number of block reference {@code id}, which must exist. */
    public static int blockNumber(DecodedRecord record, int id) {
        BlockRef b = record.block(id);
        if (b == null) {
            throw new RedoException("the record has no block id " + id);
        }
        return b.blkno();
    }

    /** Checks that {@code [off, off + len)} lies inside {@code [start, end)} of a record's bytes. */
    public static void checkRange(int off, int len, int start, int end, String what) {
        if (len < 0 || off < start || off + len > end) {
            throw new RedoException(what + " of " + len + " bytes at " + (off - start) + " runs past the "
                    + (end - start) + " bytes available");
        }
    }

    // ---- IndexTupleData and ItemPointerData -----------------------------------------------------------------

    /** {@code IndexTupleSize}: t_info & INDEX_SIZE_MASK. */
    public static int indexTupleSize(byte[] b, int tup) {
        return Bytes.u16(b, tup + 6) & INDEX_SIZE_MASK;
    }

    public static int tInfo(byte[] b, int tup) {
        return Bytes.u16(b, tup + 6);
    }

    public static void setTInfo(byte[] b, int tup, int info) {
        Bytes.putU16(b, tup + 6, info);
    }

    /** Block number of the ItemPointerData at {@code ptr} (bi_hi u16, bi_lo u16). */
    public static int tidBlock(byte[] b, int ptr) {
        return Bytes.u16(b, ptr) << 16 | Bytes.u16(b, ptr + 2);
    }

    public static int tidOffset(byte[] b, int ptr) {
        return Bytes.u16(b, ptr + 4);
    }

    public static void setTidBlock(byte[] b, int ptr, int blkno) {
        Bytes.putU16(b, ptr, blkno >>> 16);
        Bytes.putU16(b, ptr + 2, blkno & 0xFFFF);
    }

    public static void setTidOffset(byte[] b, int ptr, int offnum) {
        Bytes.putU16(b, ptr + 4, offnum);
    }

    /** {@code ItemPointerSet}. */
    public static void setTid(byte[] b, int ptr, int blkno, int offnum) {
        setTidBlock(b, ptr, blkno);
        setTidOffset(b, ptr, offnum);
    }

    /** {@code ItemPointerSetInvalid}: block InvalidBlockNumber, offset 0. */
    public static void setTidInvalid(byte[] b, int ptr) {
        setTid(b, ptr, IndexPage.INVALID_BLOCK, 0);
    }

    /** Reads {@code n} u16 values starting at {@code off}. */
    public static int[] u16Array(byte[] b, int off, int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = Bytes.u16(b, off + 2 * i);
        }
        return out;
    }
}

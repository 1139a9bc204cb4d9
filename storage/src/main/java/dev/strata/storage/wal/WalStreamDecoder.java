package dev.strata.storage.wal;

import dev.strata.storage.pg.Lsn;

import java.io.DataInput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Turns a contiguous stream of WAL bytes into records, as PostgreSQL 15's {@code XLogDecodeNextRecord} does:
 * page headers skipped and validated, records reassembled across pages and segments, CRC-32C and the
 * {@code xl_prev} chain checked, {@code XLOG_SWITCH} and {@code XLP_FIRST_IS_OVERWRITE_CONTRECORD} honoured.
 *
 * <p>Usage: {@link #feed} bytes as they arrive (the first byte is at the start LSN, each chunk follows the previous),
 * then call {@link #next()} until it returns null, meaning it needs more bytes or has reached the end of the WAL
 * ({@link #endOfWal()}). The start LSN is either a page boundary, where the tail of a record begun on an earlier
 * page is skipped ({@code XLogFindNextRecord}), or the start of a record.
 *
 * <p>End of WAL (not an error): a record position holding {@code xl_tot_len = 0} (the zeroed tail of the current
 * segment), a page that was never written (all-zero header) or a page whose {@code xlp_pageaddr} is not its own
 * address (a recycled segment's old contents). Everything else that PostgreSQL rejects is a
 * {@link WalFormatException} naming the LSN; after one, the decoder stays at the failing record.
 *
 * <p>Bytes are kept in one growing buffer that is compacted as records are returned; each record costs one array
 * of {@code xl_tot_len} bytes (the record's {@link DecodedRecord#raw()}).
 */
public final class WalStreamDecoder {
    /** PostgreSQL refuses records larger than its allocation limit ({@code MaxAllocSize}, 1 GiB - 1). */
    private static final long MAX_RECORD_LENGTH = 0x3FFF_FFFFL;
    private static final int BLCKSZ = WalPageHeader.XLOG_BLCKSZ;
    private static final int SIZE_OF_XLOG_RECORD = RecordDecoder.SIZE_OF_XLOG_RECORD;
    private static final int RM_XLOG_ID = 0;
    private static final int XLOG_SWITCH = 0x40;
    private static final int XLOG_OVERWRITE_CONTRECORD = 0xD0;

    private final int segmentSize;
    private final CRC32C crc = new CRC32C();
    private final byte[] headerScratch = new byte[SIZE_OF_XLOG_RECORD];
    /** Where padding read from a stream goes (allocated at the first XLOG_SWITCH). */
    private byte[] discard;
    private final WalPageValidator pages;

    private byte[] buf = new byte[64 * 1024];
    private long bufLsn;
    private int bufLen;
    private long fedLsn;

    private long nextRecPtr;
    private long lastDataEnd = Lsn.INVALID;
    private long prevRecPtr = Lsn.INVALID;
    private boolean skipContinuation;
    private long overwrittenRecPtr = Lsn.INVALID;
    private String endOfWalReason;
    private long endOfWalLsn = Lsn.INVALID;

    /**
     * @param startLsn    LSN of the first byte that will be fed: a page boundary or a record start
     * @param segmentSize the WAL segment size (16 MiB by default; a power of two from 1 MiB to 1 GiB)
     */
    public WalStreamDecoder(long startLsn, int segmentSize) {
        if (!WalPageHeader.validSegmentSize(segmentSize)) {
            throw new IllegalArgumentException("WAL segment size " + segmentSize
                    + " is not a power of two from 1 MiB to 1 GiB");
        }
        if ((startLsn & 7) != 0) {
            throw new IllegalArgumentException("start LSN " + Lsn.format(startLsn) + " is not 8-byte aligned");
        }
        this.segmentSize = segmentSize;
        this.pages = new WalPageValidator(segmentSize);
        this.bufLsn = startLsn;
        this.fedLsn = startLsn;
        this.nextRecPtr = startLsn;
        this.skipContinuation = startLsn % BLCKSZ == 0;
    }

    /** Requires every long page header to carry this system identifier (otherwise the first one seen is kept). */
    public WalStreamDecoder expectSystemId(long sysid) {
        pages.expectSystemId(sysid);
        return this;
    }

    /** Rejects pages whose timeline is above {@code tli} (e.g. the timeline a segment file's name gives). */
    public WalStreamDecoder maxTimeline(int tli) {
        pages.maxTimeline(Integer.toUnsignedLong(tli));
        return this;
    }

    /** The start LSN of the record before the first one (checks the first record's {@code xl_prev} exactly). */
    public WalStreamDecoder expectPrev(long prevLsn) {
        this.prevRecPtr = prevLsn;
        return this;
    }

    /** Appends the chunk's remaining bytes (the chunk is consumed). */
    public void feed(ByteBuffer chunk) {
        int n = chunk.remaining();
        int skip = skipBelowNextRecord(n);
        chunk.position(chunk.position() + skip);
        n -= skip;
        if (n > 0) {
            ensureSpace(n);
            chunk.get(buf, bufLen, n);
            bufLen += n;
            fedLsn += n;
        }
    }

    /**
     * Appends the next {@code len} bytes of {@code in}, read straight into the decoder's buffer (a network stream
     * costs no intermediate copy). When reading fails part-way, the decoder must be discarded.
     */
    public void feed(DataInput in, int len) throws IOException {
        int skip = skipBelowNextRecord(len);
        int n = len - skip;
        if (skip > 0 && discard == null) {
            discard = new byte[BLCKSZ];
        }
        while (skip > 0) {
            int k = Math.min(skip, discard.length);
            in.readFully(discard, 0, k);
            skip -= k;
        }
        if (n > 0) {
            ensureSpace(n);
            in.readFully(buf, bufLen, n);
            bufLen += n;
            fedLsn += n;
        }
    }

    /** Appends {@code len} bytes of {@code src} from {@code off}. */
    public void feed(byte[] src, int off, int len) {
        int skip = skipBelowNextRecord(len);
        int n = len - skip;
        if (n > 0) {
            ensureSpace(n);
            System.arraycopy(src, off + skip, buf, bufLen, n);
            bufLen += n;
            fedLsn += n;
        }
    }

    /**
     * The next record, or null when more bytes are needed or the end of the WAL has been reached.
     *
     * @throws WalFormatException naming the LSN when the WAL is invalid there
     */
    public DecodedRecord next() {
        while (endOfWalReason == null) {
            long rec = nextRecPtr;
            if (rec % BLCKSZ == 0) {
                int headerSize = checkPage(rec);
                if (headerSize <= 0) {
                    return null;
                }
                if (handleContinuationAtPageStart(rec, headerSize)) {
                    continue;
                }
                rec += headerSize;
                nextRecPtr = rec;
            }
            if (available(rec) < 4) {
                return null;
            }
            long totLen = Bytes.le32(buf, index(rec)) & 0xFFFF_FFFFL;
            if (totLen == 0) {
                reachEnd(rec, "no record at " + Lsn.format(rec) + " (zeroed WAL)");
                return null;
            }
            if (totLen < SIZE_OF_XLOG_RECORD) {
                throw new WalFormatException(rec, "invalid record length: wanted 24, got " + totLen);
            }
            if (totLen > MAX_RECORD_LENGTH) {
                throw new WalFormatException(rec, "record length " + totLen + " is too long");
            }
            int spaceOnPage = BLCKSZ - (int) (rec % BLCKSZ);
            if (totLen <= spaceOnPage) {
                return readOnePageRecord(rec, (int) totLen);
            }
            DecodedRecord r = readMultiPageRecord(rec, (int) totLen);
            if (r != null || nextRecPtr == rec) {
                return r;
            }
            // an overwritten continuation: nextRecPtr moved to the page where the replacement starts
        }
        return null;
    }

    /** Whether the end of the WAL has been reached ({@link #next()} returns null for good). */
    public boolean endOfWal() {
        return endOfWalReason != null;
    }

    /** Why the WAL ended, naming the LSN; null before the end. */
    public String endOfWalReason() {
        return endOfWalReason;
    }

    /** Where the WAL ended (the record position that held no record); {@link Lsn#INVALID} before the end. */
    public long endOfWalLsn() {
        return endOfWalLsn;
    }

    /** Where the next record is expected (after the last one returned, or the start). */
    public long nextRecordLsn() {
        return nextRecPtr;
    }

    /** Start LSN of the last record returned ({@link Lsn#INVALID} before the first). */
    public long lastRecordLsn() {
        return prevRecPtr;
    }

    /** The LSN right after the last byte of the last record returned (before alignment and switch padding). */
    public long lastRecordDataEnd() {
        return lastDataEnd;
    }

    /**
     * The LSN of the next byte the decoder needs: after the last byte fed, or further on when an
     * {@code XLOG_SWITCH} made the rest of a segment padding. A file reader can skip to it instead of reading the
     * padding; feeding from an earlier position is also fine (the padding is dropped).
     */
    public long neededFrom() {
        return Math.max(fedLsn, nextRecPtr);
    }

    /** Declares that the next byte fed will be at {@link #neededFrom()} (the padding before it is not fed). */
    public void skipToNeeded() {
        long to = neededFrom();
        if (to != fedLsn) {
            fedLsn = to;
            bufLsn = to;
            bufLen = 0;
        }
    }

    /** The LSN after the last byte fed. */
    public long fedUpTo() {
        return fedLsn;
    }

    /** The system identifier of the long page headers seen (0 before the first). */
    public long systemId() {
        return pages.systemId();
    }

    /** The segment size this decoder was built for. */
    public int segmentSize() {
        return segmentSize;
    }

    /**
     * At a page start: skips the tail of a record begun before the start LSN, or fails when an unexpected
     * continuation is there. Returns true when it moved {@link #nextRecPtr} (the caller loops).
     */
    private boolean handleContinuationAtPageStart(long page, int headerSize) {
        int info = WalPageHeader.info(buf, index(page));
        boolean cont = (info & WalPageHeader.XLP_FIRST_IS_CONTRECORD) != 0;
        if (!skipContinuation) {
            if (cont) {
                throw new WalFormatException(page + headerSize, "contrecord is requested by "
                        + Lsn.format(page + headerSize) + " but a new record was expected there");
            }
            return false;
        }
        if (!cont) {
            skipContinuation = false;
            return false;
        }
        long rem = WalPageHeader.remLen(buf, index(page));
        if (rem <= BLCKSZ - headerSize) {
            skipContinuation = false;
            nextRecPtr = page + headerSize + maxAlign(rem);
        } else {
            nextRecPtr = page + BLCKSZ;
        }
        return true;
    }

    private DecodedRecord readOnePageRecord(long rec, int totLen) {
        if (available(rec) < totLen) {
            return null;
        }
        int i = index(rec);
        checkRecordHeader(buf, i, rec);
        byte[] raw = Arrays.copyOfRange(buf, i, i + totLen);
        return finish(raw, rec, rec + totLen);
    }

    /**
     * Reassembles a record that continues on later pages. Returns null when bytes are missing, at the end of the
     * WAL, or when a page announces that the continuation was overwritten (then {@link #nextRecPtr} is that page).
     */
    private DecodedRecord readMultiPageRecord(long rec, int totLen) {
        int firstPart = BLCKSZ - (int) (rec % BLCKSZ);
        if (available(rec) < firstPart) {
            return null;
        }
        boolean gotHeader = firstPart >= SIZE_OF_XLOG_RECORD;
        if (gotHeader) {
            checkRecordHeader(buf, index(rec), rec);
        }
        long gathered = firstPart;
        long page = rec + firstPart;
        long lastRem = 0;
        int lastHeader = 0;
        while (gathered < totLen) {
            int headerSize = checkPage(page);
            if (headerSize <= 0) {
                if (headerSize < 0) {
                    endOfWalReason = "record at " + Lsn.format(rec) + " is incomplete: " + endOfWalReason;
                    endOfWalLsn = rec;
                }
                return null;
            }
            int p = index(page);
            int info = WalPageHeader.info(buf, p);
            if ((info & WalPageHeader.XLP_FIRST_IS_OVERWRITE_CONTRECORD) != 0) {
                overwrittenRecPtr = rec;
                nextRecPtr = page;
                return null;
            }
            if ((info & WalPageHeader.XLP_FIRST_IS_CONTRECORD) == 0) {
                throw new WalFormatException(rec, "there is no contrecord flag on page " + Lsn.format(page));
            }
            long rem = WalPageHeader.remLen(buf, p);
            if (rem == 0 || totLen != rem + gathered) {
                throw new WalFormatException(rec, "invalid contrecord length " + rem + " (expected "
                        + (totLen - gathered) + ") on page " + Lsn.format(page));
            }
            int n = (int) Math.min(rem, BLCKSZ - headerSize);
            if (available(page + headerSize) < n) {
                return null;
            }
            if (!gotHeader) {
                checkSplitHeader(rec, firstPart, page + headerSize);
                gotHeader = true;
            }
            gathered += n;
            lastRem = rem;
            lastHeader = headerSize;
            page += BLCKSZ;
        }
        long lastPage = page - BLCKSZ;
        return finish(assemble(rec, totLen, firstPart), rec, lastPage + lastHeader + lastRem);
    }

    /** Copies a page-spanning record's pieces (already validated) into one array. */
    private byte[] assemble(long rec, int totLen, int firstPart) {
        byte[] raw = new byte[totLen];
        System.arraycopy(buf, index(rec), raw, 0, firstPart);
        int got = firstPart;
        long page = rec + firstPart;
        while (got < totLen) {
            int p = index(page);
            int headerSize = WalPageHeader.size(WalPageHeader.info(buf, p));
            int n = Math.min(totLen - got, BLCKSZ - headerSize);
            System.arraycopy(buf, p + headerSize, raw, got, n);
            got += n;
            page += BLCKSZ;
        }
        return raw;
    }

    /** Validates a record header split across two pages once both parts are there. */
    private void checkSplitHeader(long rec, int firstPart, long contData) {
        System.arraycopy(buf, index(rec), headerScratch, 0, firstPart);
        System.arraycopy(buf, index(contData), headerScratch, firstPart, SIZE_OF_XLOG_RECORD - firstPart);
        checkRecordHeader(headerScratch, 0, rec);
    }

    /** {@code ValidXLogRecordHeader}: a known resource manager and the right {@code xl_prev}. */
    private void checkRecordHeader(byte[] b, int off, long rec) {
        int rmid = b[off + 17] & 0xFF;
        if (!RecordDecoder.rmgrIdIsValid(rmid)) {
            throw new WalFormatException(rec, "invalid resource manager ID " + rmid);
        }
        long prev = Bytes.le64(b, off + 8);
        if (prevRecPtr != Lsn.INVALID ? prev != prevRecPtr : Long.compareUnsigned(prev, rec) >= 0) {
            throw new WalFormatException(rec, "record with incorrect prev-link " + Lsn.format(prev) + " (expected "
                    + (prevRecPtr != Lsn.INVALID ? Lsn.format(prevRecPtr) : "below " + Lsn.format(rec)) + ")");
        }
    }

    /**
     * CRC check, decode, and advance past the record ({@code XLOG_SWITCH} skips the rest of the segment).
     * {@code dataEnd} is the LSN after the record's last byte.
     */
    private DecodedRecord finish(byte[] raw, long rec, long dataEnd) {
        long end = maxAlign(dataEnd);
        crc.reset();
        crc.update(raw, SIZE_OF_XLOG_RECORD, raw.length - SIZE_OF_XLOG_RECORD);
        crc.update(raw, 0, 20);
        if ((int) crc.getValue() != Bytes.le32(raw, 20)) {
            throw new WalFormatException(rec, "incorrect resource manager data checksum in record (CRC-32C "
                    + String.format("%08X, record says %08X)", (int) crc.getValue(), Bytes.le32(raw, 20)));
        }
        int rmid = raw[17] & 0xFF;
        int info = raw[16] & 0xF0;
        if (rmid == RM_XLOG_ID && info == XLOG_SWITCH) {
            end = (end + segmentSize - 1) / segmentSize * segmentSize;
        }
        DecodedRecord d = RecordDecoder.decode(raw, rec, end);
        if (rmid == RM_XLOG_ID && info == XLOG_OVERWRITE_CONTRECORD && overwrittenRecPtr != Lsn.INVALID) {
            long overwritten = d.mainDataLength() >= 8 ? d.mainData().getLong(0) : Lsn.INVALID;
            if (overwritten != overwrittenRecPtr) {
                throw new WalFormatException(rec, "mismatching overwritten LSN " + Lsn.format(overwritten) + " -> "
                        + Lsn.format(overwrittenRecPtr));
            }
            overwrittenRecPtr = Lsn.INVALID;
        }
        prevRecPtr = rec;
        nextRecPtr = end;
        lastDataEnd = dataEnd;
        return d;
    }

    /** Validates the page header at {@code page}: its size, 0 when it has not all arrived, or -1 at the end. */
    private int checkPage(long page) {
        int r = pages.check(buf, index(page), page, available(page));
        if (r == WalPageValidator.END_OF_WAL) {
            reachEnd(page, pages.endReason());
        }
        return r;
    }

    private int reachEnd(long lsn, String reason) {
        endOfWalReason = reason;
        endOfWalLsn = lsn;
        return -1;
    }

    /** Bytes fed below the next record position (the padding after an XLOG_SWITCH) are dropped as they come. */
    private int skipBelowNextRecord(int n) {
        if (fedLsn >= nextRecPtr) {
            return 0;
        }
        int skip = (int) Math.min(n, nextRecPtr - fedLsn);
        fedLsn += skip;
        bufLsn = fedLsn;
        bufLen = 0;
        return skip;
    }

    /** Drops bytes before the next record and grows the buffer so that {@code n} more bytes fit. */
    private void ensureSpace(int n) {
        if (bufLen + n <= buf.length) {
            return;
        }
        int drop = (int) Math.max(0, Math.min(nextRecPtr - bufLsn, bufLen));
        if (drop > 0) {
            System.arraycopy(buf, drop, buf, 0, bufLen - drop);
            bufLen -= drop;
            bufLsn += drop;
        }
        if (bufLen + n > buf.length) {
            long want = Math.max((long) buf.length * 2, (long) bufLen + n);
            if (want > Integer.MAX_VALUE - 16) {
                throw new WalFormatException(nextRecPtr, "more than 2 GiB of WAL buffered without a complete record");
            }
            buf = Arrays.copyOf(buf, (int) want);
        }
    }

    private long available(long lsn) {
        return bufLsn + bufLen - lsn;
    }

    private int index(long lsn) {
        return (int) (lsn - bufLsn);
    }

    private static long maxAlign(long n) {
        return (n + 7) & ~7L;
    }
}

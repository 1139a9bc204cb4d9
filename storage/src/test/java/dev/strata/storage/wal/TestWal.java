package dev.strata.storage.wal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Lays records out in WAL pages the way PostgreSQL 15 does, for tests: a long header on the first page of each
 * segment, short headers elsewhere, records 8-aligned and split across pages with XLP_FIRST_IS_CONTRECORD and
 * xlp_rem_len, each record's xl_prev pointing at the previous record and its CRC recomputed.
 */
final class TestWal {
    static final int BLCKSZ = 8192;
    final int segSize;
    final long sysid;
    final int tli;
    final long start;
    private byte[] bytes = new byte[1 << 16];
    private long pos;
    private long prev;

    TestWal(long start, int segSize, long sysid, int tli) {
        this.start = start;
        this.segSize = segSize;
        this.sysid = sysid;
        this.tli = tli;
        this.pos = start;
    }

    long position() {
        return pos;
    }

    /** Appends a record (its xl_prev and CRC are set here); returns its start LSN. */
    long append(byte[] raw) {
        byte[] r = raw.clone();
        ByteBuffer.wrap(r).order(ByteOrder.LITTLE_ENDIAN).putLong(8, prev);
        RecordBytes.setCrc(r);
        if (pos % BLCKSZ == 0) {
            pageHeader(pos, 0, 0);
        }
        long lsn = pos;
        int done = 0;
        while (done < r.length) {
            int space = (int) (BLCKSZ - pos % BLCKSZ);
            int n = Math.min(space, r.length - done);
            put(pos, r, done, n);
            pos += n;
            done += n;
            if (done < r.length) {
                pageHeader(pos, WalPageHeader.XLP_FIRST_IS_CONTRECORD, r.length - done);
            }
        }
        pos = (pos + 7) & ~7L;
        prev = lsn;
        return lsn;
    }

    /** Writes a page header at {@code page} (a page boundary) and moves past it. */
    void pageHeader(long page, int flags, int remLen) {
        boolean isLong = page % segSize == 0;
        ByteBuffer h = ByteBuffer.allocate(isLong ? 40 : 24).order(ByteOrder.LITTLE_ENDIAN);
        h.putShort((short) 0xD110).putShort((short) (flags | (isLong ? WalPageHeader.XLP_LONG_HEADER : 0)))
                .putInt(tli).putLong(page).putInt(remLen).putInt(0);
        if (isLong) {
            h.putLong(sysid).putInt(segSize).putInt(BLCKSZ);
        }
        put(page, h.array(), 0, h.capacity());
        pos = page + h.capacity();
    }

    /** Starts a new page without continuing the current record (the writer "crashed"); returns the page LSN. */
    long abandonToNextPage(int flags) {
        long page = (pos + BLCKSZ - 1) / BLCKSZ * BLCKSZ;
        pageHeader(page, flags, 0);
        return page;
    }

    /** Moves to the next segment start (after an XLOG_SWITCH record). */
    void padToNextSegment() {
        pos = (pos + segSize - 1) / segSize * segSize;
        ensure(pos);
    }

    /** All bytes written so far, padded with zeros to the end of the current page. */
    byte[] bytes() {
        long end = (pos + BLCKSZ - 1) / BLCKSZ * BLCKSZ;
        ensure(end);
        return Arrays.copyOf(bytes, (int) (end - start));
    }

    /** Overwrites one byte at an LSN. */
    void poke(long lsn, int value) {
        bytes[(int) (lsn - start)] = (byte) value;
    }

    private void put(long lsn, byte[] src, int off, int n) {
        ensure(lsn + n);
        System.arraycopy(src, off, bytes, (int) (lsn - start), n);
    }

    private void ensure(long lsn) {
        int need = (int) (lsn - start);
        if (need > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(need, bytes.length * 2));
        }
    }
}

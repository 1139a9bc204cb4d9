package dev.strata.wire.backup;

import dev.strata.storage.pg.Lsn;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The one WAL segment a backup carries: a real checkpoint record that pg_control points at, so that stock
 * PostgreSQL 15 starts from the data directory. Get it from {@link BackupWriter#wal()} so that it matches the
 * pg_control of the tar; pg_basebackup's {@code -X stream} is served from {@link #read} (the segment from its start
 * up to {@link #endLsn()}).
 *
 * <h2>Where the checkpoint goes</h2>
 * Let {@code lsn} be the backup LSN (the end of a record, as last_record_lsn is) and {@code first(p)} the first
 * byte a record can start at from {@code p}: {@code p} rounded up to 8, plus the page header (40 bytes at a segment
 * start, 24 at another page start) when that lands on a page boundary. This is where the primary put the record
 * that follows {@code lsn}.
 * <ul>
 *   <li><b>Plain layout</b> (fullbackup, basebackup, pg_basebackup): a <em>shutdown</em> checkpoint at
 *       {@code C = first(lsn)}, {@code redo = C}, {@code xl_prev = prevRecordLsn}; if the 114-byte record does not
 *       fit in the rest of that page it moves to {@code first} of the next page (the server accepts a gap, and the
 *       record never spans pages or segments). pg_control says "shut down" with no recovery fields, so the server
 *       starts without replaying anything and writes its own next record at {@code C + 120}. Every page LSN in the
 *       image is at most {@code lsn <= C}, as the server requires ("xlog flush request ... is not satisfied"
 *       otherwise).</li>
 *   <li><b>Standby layout</b> ({@code --replica}): a standby must go on with the <em>primary's</em> WAL, whose record
 *       after {@code lsn} is not a checkpoint. PostgreSQL reads the record after a checkpoint sequentially and checks
 *       its {@code xl_prev}, so a synthetic checkpoint at {@code first(lsn)} would be followed by garbage. Instead
 *       the record is an <em>online</em> checkpoint at {@code C} = the next segment's start + 40 with
 *       {@code redo = first(lsn) < C}: the startup process reads the checkpoint from this local segment, then
 *       begins replay with a random-access read at the redo pointer. The segment holding the redo pointer is not
 *       in pg_wal (a local page there with an invalid record would be a PANIC), so the standby fetches it from
 *       the primary with {@code START_REPLICATION} at that segment's start and replays the primary's own records
 *       from {@code lsn} on; records whose changes the pages already carry are skipped by their page LSN. pg_control
 *       says "shut down in recovery" with {@code minRecoveryPoint = redo}, so the standby is consistent at once
 *       and hot standby opens as soon as a running-xacts record (or a checkpoint) arrives. The primary must still
 *       have the WAL from the redo pointer's segment (use a slot, or wal_keep_size). Until its first restartpoint
 *       the standby's pg_control names this synthetic record, whose segment the primary's WAL later overwrites:
 *       restart the standby only after a restartpoint (a CHECKPOINT on the standby once it has replayed one of
 *       the primary's checkpoints).</li>
 * </ul>
 *
 * <p>The segment is a function of the stored control file and checkpoint, the LSN, the previous record's LSN and
 * the layout only: the checkpoint keeps the stored checkpoint's time (that of the primary's last checkpoint at or
 * before the LSN) rather than the clock's, so two backups at the same LSN carry byte-identical WAL, and the segment
 * pg_basebackup streams matches the pg_control of the tar it received separately.
 *
 * <h2>The segment</h2>
 * {@link #segmentSize()} bytes named {@code TTTTTTTTXXXXXXXXYYYYYYYY} (timeline, segment number / (2^32 /
 * segment size), segment number % (2^32 / segment size), 8 hex digits each). Every page up to the record's page
 * has a valid header: magic 0xD110, xlp_info, xlp_tli, xlp_pageaddr, xlp_rem_len (24 bytes; page 0 adds
 * xlp_sysid, xlp_seg_size and xlp_xlog_blcksz for 40 bytes with XLP_LONG_HEADER). The pages before the record
 * are marked XLP_FIRST_IS_CONTRECORD with xlp_rem_len counting the payload bytes left up to the record, as if one
 * long record ended exactly there, so pg_waldump (and any reader that looks for the first record from the segment
 * start) skips to the checkpoint. Everything after the record is zero: the end of WAL.
 */
public final class SyntheticWal {
    static final int XLOG_BLCKSZ = 8192;
    static final int LONG_HEADER = 40;
    static final int SHORT_HEADER = 24;
    private static final short XLOG_PAGE_MAGIC = (short) 0xD110;
    private static final int XLP_FIRST_IS_CONTRECORD = 0x1;
    private static final int XLP_LONG_HEADER = 0x2;

    private final long backupLsn;
    private final long prevRecordLsn;
    private final boolean standby;
    private final int timeline;
    private final long systemIdentifier;
    private final int segmentSize;
    private final long checkpointLsn;
    private final CheckPoint checkpoint;
    private final byte[] record;
    private final long segmentStart;
    private final long recordPage;

    private SyntheticWal(long backupLsn, long prevRecordLsn, boolean standby, ControlFile control,
                         CheckPoint checkpoint, long checkpointLsn) {
        this.backupLsn = backupLsn;
        this.prevRecordLsn = prevRecordLsn;
        this.standby = standby;
        this.timeline = checkpoint.timeline();
        this.systemIdentifier = control.systemIdentifier();
        this.segmentSize = control.walSegmentSize();
        this.checkpointLsn = checkpointLsn;
        this.checkpoint = checkpoint;
        this.record = CheckpointRecord.encode(prevRecordLsn,
                standby ? CheckpointRecord.XLOG_CHECKPOINT_ONLINE : CheckpointRecord.XLOG_CHECKPOINT_SHUTDOWN,
                checkpoint);
        this.segmentStart = checkpointLsn - Long.remainderUnsigned(checkpointLsn, segmentSize);
        this.recordPage = checkpointLsn - checkpointLsn % XLOG_BLCKSZ;
    }

    /**
     * Places the checkpoint for a backup at {@code lsn}.
     *
     * @param control         the stored pg_control (identity, segment size)
     * @param stored          the stored CheckPoint (counters: next XID/OID/multixact, oldest XIDs); it is copied
     * @param lsn             the backup LSN
     * @param prevRecordLsn   start LSN of the record that ends at {@code lsn}, or 0 when unknown
     * @param standby         the standby layout instead of the plain one
     * @param oldestActiveXid for the standby's online checkpoint: the oldest XID that may still be running (the
     *                        oldest prepared transaction, else next XID); ignored for the plain layout
     */
    static SyntheticWal create(ControlFile control, CheckPoint stored, long lsn, long prevRecordLsn,
                               boolean standby, int oldestActiveXid) {
        if (lsn == Lsn.INVALID || lsn == Lsn.MAX || lsn < 0) {
            throw new BackupException("cannot place a checkpoint at LSN " + Lsn.format(lsn)
                    + ": give the LSN of a record end the timeline holds");
        }
        if (Long.compareUnsigned(prevRecordLsn, lsn) >= 0) {
            throw new BackupException("the previous record's LSN " + Lsn.format(prevRecordLsn)
                    + " is not before the backup LSN " + Lsn.format(lsn));
        }
        int nextXid = stored.nextXid();
        if (Integer.compareUnsigned(nextXid, 3) < 0) {
            throw new BackupException("the checkpoint state at " + Lsn.format(lsn) + " has next XID "
                    + Integer.toUnsignedString(nextXid) + ", which is not a normal XID (>= 3); PostgreSQL would "
                    + "PANIC with \"invalid next transaction ID\"");
        }
        int segSize = control.walSegmentSize();
        CheckPoint cp = CheckPoint.parse(stored.bytes(), "at " + Lsn.format(lsn));
        cp.clearPadding();
        cp.setTimeline(stored.timeline() == 0 ? 1 : stored.timeline());
        long redo = firstRecordPosition(align8(lsn), segSize);
        long checkpointLsn;
        if (standby) {
            long segStart = redo - Long.remainderUnsigned(redo, segSize);
            checkpointLsn = segStart + segSize + LONG_HEADER;
            cp.setOldestActiveXid(oldestActiveXid);
        } else {
            checkpointLsn = redo;
            if (checkpointLsn % XLOG_BLCKSZ + CheckpointRecord.SIZE > XLOG_BLCKSZ) {
                checkpointLsn = firstRecordPosition(checkpointLsn - checkpointLsn % XLOG_BLCKSZ + XLOG_BLCKSZ,
                        segSize);
            }
            redo = checkpointLsn;
            cp.setOldestActiveXid(0);
        }
        cp.setRedo(redo);
        return new SyntheticWal(lsn, prevRecordLsn, standby, control, cp, checkpointLsn);
    }

    static long align8(long lsn) {
        return (lsn + 7) & ~7L;
    }

    /** {@code p} (8-aligned) or, on a page boundary, just past that page's header. */
    static long firstRecordPosition(long p, int segmentSize) {
        if (p % XLOG_BLCKSZ != 0) {
            return p;
        }
        return p + (Long.remainderUnsigned(p, segmentSize) == 0 ? LONG_HEADER : SHORT_HEADER);
    }

    /** The backup LSN this WAL was made for. */
    public long backupLsn() {
        return backupLsn;
    }

    /** xl_prev of the checkpoint record. */
    public long prevRecordLsn() {
        return prevRecordLsn;
    }

    /** Whether this is the standby layout (online checkpoint, redo before the segment). */
    public boolean standbyLayout() {
        return standby;
    }

    public int timeline() {
        return timeline;
    }

    /** pg_control's system identifier; IDENTIFY_SYSTEM reports it as an unsigned decimal. */
    public long systemIdentifier() {
        return systemIdentifier;
    }

    public int segmentSize() {
        return segmentSize;
    }

    /** LSN of the checkpoint record (pg_control's checkPoint). */
    public long checkpointLsn() {
        return checkpointLsn;
    }

    /**
     * The checkpoint's redo pointer: where WAL is needed from. Equal to {@link #checkpointLsn()} in the plain layout
     * (BASE_BACKUP's start position); in the standby layout it lies in an earlier segment this class does not hold.
     */
    public long redoLsn() {
        return checkpoint.redo();
    }

    /** The end of the checkpoint record ({@code checkpointLsn + 114}): BASE_BACKUP's end position. */
    public long endLsn() {
        return checkpointLsn + CheckpointRecord.SIZE;
    }

    /** Where the server writes its first record ({@code checkpointLsn + 120}). */
    public long nextRecordLsn() {
        return checkpointLsn + CheckpointRecord.ALIGNED_SIZE;
    }

    /** LSN of the segment's first byte. */
    public long segmentStartLsn() {
        return segmentStart;
    }

    /** The segment's file name in pg_wal, e.g. {@code 000000010000000000000003}. */
    public String segmentFileName() {
        return segmentFileName(timeline, segmentStart, segmentSize);
    }

    static String segmentFileName(int tli, long lsn, int segmentSize) {
        long segno = Long.divideUnsigned(lsn, segmentSize);
        long perId = 0x1_0000_0000L / segmentSize;
        return String.format("%08X%08X%08X", tli, segno / perId, segno % perId);
    }

    /** The 114-byte checkpoint record. */
    public byte[] checkpointRecord() {
        return record.clone();
    }

    CheckPoint checkpoint() {
        return CheckPoint.parse(checkpoint.bytes(), "of the synthetic checkpoint");
    }

    /**
     * Copies {@code len} bytes of the segment starting at {@code fromLsn} into {@code dst}.
     *
     * @throws IllegalArgumentException when the range is not inside the segment
     */
    public void read(long fromLsn, byte[] dst, int off, int len) {
        long rel = fromLsn - segmentStart;
        if (rel < 0 || len < 0 || rel + len > segmentSize) {
            throw new IllegalArgumentException("WAL range " + Lsn.format(fromLsn) + " + " + len + " bytes is not "
                    + "inside segment " + segmentFileName() + " (" + Lsn.format(segmentStart) + " .. "
                    + Lsn.format(segmentStart + segmentSize) + ")");
        }
        byte[] page = new byte[XLOG_BLCKSZ];
        int done = 0;
        while (done < len) {
            long pos = rel + done;
            int pageIndex = (int) (pos / XLOG_BLCKSZ);
            int inPage = (int) (pos % XLOG_BLCKSZ);
            int n = Math.min(len - done, XLOG_BLCKSZ - inPage);
            if (fillPage(pageIndex, page)) {
                System.arraycopy(page, inPage, dst, off + done, n);
            } else {
                java.util.Arrays.fill(dst, off + done, off + done + n, (byte) 0);
            }
            done += n;
        }
    }

    /** Writes the whole segment ({@link #segmentSize()} bytes). */
    public void writeSegment(OutputStream out) throws IOException {
        byte[] page = new byte[XLOG_BLCKSZ];
        int pages = segmentSize / XLOG_BLCKSZ;
        int written = 0;
        while (written < pages && fillPage(written, page)) {
            out.write(page);
            written++;
        }
        byte[] zeros = new byte[64 * 1024];
        long left = (long) (pages - written) * XLOG_BLCKSZ;
        while (left > 0) {
            int n = (int) Math.min(left, zeros.length);
            out.write(zeros, 0, n);
            left -= n;
        }
    }

    /** Fills page {@code index} of the segment; returns false (leaving {@code page} alone) for an all-zero page. */
    private boolean fillPage(int index, byte[] page) {
        long pageLsn = segmentStart + (long) index * XLOG_BLCKSZ;
        if (pageLsn > recordPage) {
            return false;
        }
        java.util.Arrays.fill(page, (byte) 0);
        ByteBuffer b = ByteBuffer.wrap(page).order(ByteOrder.LITTLE_ENDIAN);
        boolean first = index == 0;
        int header = first ? LONG_HEADER : SHORT_HEADER;
        int info = first ? XLP_LONG_HEADER : 0;
        long dataStart = pageLsn + header;
        int remLen = 0;
        if (dataStart < checkpointLsn) {
            info |= XLP_FIRST_IS_CONTRECORD;
            long laterHeaders = (long) SHORT_HEADER * ((recordPage - pageLsn) / XLOG_BLCKSZ);
            remLen = (int) (checkpointLsn - dataStart - laterHeaders);
        }
        b.putShort(0, XLOG_PAGE_MAGIC);
        b.putShort(2, (short) info);
        b.putInt(4, timeline);
        b.putLong(8, pageLsn);
        b.putInt(16, remLen);
        if (first) {
            b.putLong(24, systemIdentifier);
            b.putInt(32, segmentSize);
            b.putInt(36, XLOG_BLCKSZ);
        }
        if (pageLsn == recordPage) {
            System.arraycopy(record, 0, page, (int) (checkpointLsn - pageLsn), record.length);
        }
        return true;
    }
}

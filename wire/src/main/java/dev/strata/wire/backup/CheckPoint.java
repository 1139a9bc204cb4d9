package dev.strata.wire.backup;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * PostgreSQL 15's {@code CheckPoint} struct: the payload of a checkpoint WAL record and {@code checkPointCopy} in
 * pg_control. 88 bytes, little-endian, padding written as zeros:
 *
 * <pre>
 * off size field
 *   0   8  redo                  LSN where replay starts; equals the record's own LSN for a shutdown checkpoint
 *   8   4  ThisTimeLineID
 *  12   4  PrevTimeLineID        same as ThisTimeLineID unless the checkpoint starts a timeline
 *  16   1  fullPageWrites        bool; 7 bytes padding follow
 *  24   8  nextXid               FullTransactionId: epoch &lt;&lt; 32 | xid; the xid must be normal (&gt;= 3)
 *  32   4  nextOid
 *  36   4  nextMulti
 *  40   4  nextMultiOffset
 *  44   4  oldestXid
 *  48   4  oldestXidDB
 *  52   4  oldestMulti
 *  56   4  oldestMultiDB         4 bytes padding follow
 *  64   8  time                  pg_time_t, seconds since the Unix epoch
 *  72   4  oldestCommitTsXid
 *  76   4  newestCommitTsXid
 *  80   4  oldestActiveXid       0 in a shutdown checkpoint; 4 bytes tail padding follow
 * </pre>
 *
 * Instances are mutable copies; {@link #bytes()} returns a fresh array.
 */
final class CheckPoint {
    static final int SIZE = 88;

    private final ByteBuffer buf;

    private CheckPoint(byte[] copy) {
        this.buf = ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Parses the 88-byte struct, copying it. */
    static CheckPoint parse(byte[] struct, String where) {
        if (struct == null || struct.length != SIZE) {
            throw new BackupException("the CheckPoint struct " + where + " is "
                    + (struct == null ? "missing" : struct.length + " bytes") + "; PostgreSQL 15's is " + SIZE);
        }
        return new CheckPoint(struct.clone());
    }

    long redo() {
        return buf.getLong(0);
    }

    void setRedo(long lsn) {
        buf.putLong(0, lsn);
    }

    int timeline() {
        return buf.getInt(8);
    }

    int prevTimeline() {
        return buf.getInt(12);
    }

    /** Sets ThisTimeLineID and PrevTimeLineID: a synthetic checkpoint never starts a timeline. */
    void setTimeline(int tli) {
        buf.putInt(8, tli);
        buf.putInt(12, tli);
    }

    boolean fullPageWrites() {
        return buf.get(16) != 0;
    }

    long nextFullXid() {
        return buf.getLong(24);
    }

    /** The 32-bit xid part of nextXid. */
    int nextXid() {
        return (int) buf.getLong(24);
    }

    int nextOid() {
        return buf.getInt(32);
    }

    int nextMulti() {
        return buf.getInt(36);
    }

    int nextMultiOffset() {
        return buf.getInt(40);
    }

    int oldestXid() {
        return buf.getInt(44);
    }

    int oldestXidDb() {
        return buf.getInt(48);
    }

    int oldestMulti() {
        return buf.getInt(52);
    }

    int oldestMultiDb() {
        return buf.getInt(56);
    }

    long time() {
        return buf.getLong(64);
    }

    void setTime(long epochSeconds) {
        buf.putLong(64, epochSeconds);
    }

    int oldestActiveXid() {
        return buf.getInt(80);
    }

    void setOldestActiveXid(int xid) {
        buf.putInt(80, xid);
    }

    /** Zeros the padding bytes (17-23, 60-63, 84-87) so that copies from elsewhere encode canonically. */
    void clearPadding() {
        for (int i = 17; i < 24; i++) {
            buf.put(i, (byte) 0);
        }
        buf.putInt(60, 0);
        buf.putInt(84, 0);
    }

    byte[] bytes() {
        return buf.array().clone();
    }
}

package dev.strata.storage.pgdata;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * PostgreSQL 15's {@code CheckPoint} struct: the payload of a checkpoint record, the {@code checkPointCopy} inside
 * pg_control, and the value Strata keeps under {@link dev.strata.storage.key.Key#checkpoint()}.
 *
 * <p>Layout (88 bytes, little-endian; padding written as zeros):
 * <pre>
 * off size field
 *   0   8  redo                 LSN where redo starts
 *   8   4  ThisTimeLineID
 *  12   4  PrevTimeLineID
 *  16   1  fullPageWrites       bool
 *  17   7  padding
 *  24   8  nextXid              FullTransactionId: epoch &lt;&lt; 32 | xid
 *  32   4  nextOid
 *  36   4  nextMulti
 *  40   4  nextMultiOffset
 *  44   4  oldestXid
 *  48   4  oldestXidDB
 *  52   4  oldestMulti
 *  56   4  oldestMultiDB
 *  60   4  padding
 *  64   8  time                 pg_time_t, seconds since the Unix epoch
 *  72   4  oldestCommitTsXid
 *  76   4  newestCommitTsXid
 *  80   4  oldestActiveXid
 *  84   4  padding
 * </pre>
 *
 * Mutable; not thread-safe.
 */
public final class CheckPointData {
    public static final int SIZE = 88;
    /** Strata rounds nextXid up to a multiple of this, so that the value changes once per 1024 transactions. */
    public static final int XID_CHECKPOINT_INTERVAL = 1024;
    private static final int FIRST_NORMAL_XID = 3;

    private final ByteBuffer b;

    private CheckPointData(byte[] bytes) {
        this.b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * A copy of the 88 bytes at {@code off}.
     *
     * @throws IllegalArgumentException when fewer than 88 bytes are there
     */
    public static CheckPointData decode(byte[] bytes, int off) {
        if (off < 0 || bytes.length - off < SIZE) {
            throw new IllegalArgumentException("a CheckPoint is " + SIZE + " bytes; only "
                    + Math.max(0, bytes.length - off) + " at offset " + off);
        }
        byte[] copy = new byte[SIZE];
        System.arraycopy(bytes, off, copy, 0, SIZE);
        return new CheckPointData(copy);
    }

    public static CheckPointData decode(byte[] bytes) {
        return decode(bytes, 0);
    }

    /** A copy of the 88 bytes. */
    public byte[] encode() {
        return b.array().clone();
    }

    public CheckPointData copy() {
        return new CheckPointData(encode());
    }

    public long redo() {
        return b.getLong(0);
    }

    public void setRedo(long lsn) {
        b.putLong(0, lsn);
    }

    public int thisTimeLineId() {
        return b.getInt(8);
    }

    public int prevTimeLineId() {
        return b.getInt(12);
    }

    public boolean fullPageWrites() {
        return b.get(16) != 0;
    }

    /** FullTransactionId: epoch in the high 32 bits. */
    public long nextXid() {
        return b.getLong(24);
    }

    public void setNextXid(long fullXid) {
        b.putLong(24, fullXid);
    }

    public int nextOid() {
        return b.getInt(32);
    }

    public void setNextOid(int oid) {
        b.putInt(32, oid);
    }

    public int nextMulti() {
        return b.getInt(36);
    }

    public void setNextMulti(int multi) {
        b.putInt(36, multi);
    }

    public int nextMultiOffset() {
        return b.getInt(40);
    }

    public void setNextMultiOffset(int offset) {
        b.putInt(40, offset);
    }

    public int oldestXid() {
        return b.getInt(44);
    }

    public int oldestXidDb() {
        return b.getInt(48);
    }

    public void setOldestXid(int xid, int db) {
        b.putInt(44, xid).putInt(48, db);
    }

    public int oldestMulti() {
        return b.getInt(52);
    }

    public int oldestMultiDb() {
        return b.getInt(56);
    }

    public void setOldestMulti(int multi, int db) {
        b.putInt(52, multi).putInt(56, db);
    }

    public long time() {
        return b.getLong(64);
    }

    public int oldestActiveXid() {
        return b.getInt(80);
    }

    /**
     * Moves nextXid past {@code xid} when {@code xid} is not before it (modulo 2^32, as PostgreSQL compares
     * xids), rounding up to a multiple of {@link #XID_CHECKPOINT_INTERVAL} and carrying into the epoch on
     * wraparound. Skipping xids is harmless; the rounding never crosses a CLOG page (32768 xids) except onto the
     * first xid of the next page, which PostgreSQL's startup handles without reading that page.
     *
     * @return true when nextXid changed
     */
    public boolean advanceNextXidPast(int xid) {
        if (Integer.compareUnsigned(xid, FIRST_NORMAL_XID) < 0) {
            return false;
        }
        long next = nextXid();
        int nextLo = (int) next;
        if (xid - nextLo < 0) {
            return false;
        }
        long epoch = next >>> 32;
        if (Integer.compareUnsigned(xid, nextLo) < 0) {
            epoch++;
        }
        long v = ((Integer.toUnsignedLong(xid) + 1 + XID_CHECKPOINT_INTERVAL - 1) / XID_CHECKPOINT_INTERVAL)
                * XID_CHECKPOINT_INTERVAL;
        if (v >= 1L << 32) {
            epoch++;
            v -= 1L << 32;
        }
        if (v < FIRST_NORMAL_XID) {
            v = FIRST_NORMAL_XID;
        }
        setNextXid((epoch << 32) | v);
        return true;
    }

    /** {@code TransactionIdPrecedes}: modular comparison for normal xids, plain for the special ones (0..2). */
    public static boolean xidPrecedes(int a, int b) {
        if (Integer.compareUnsigned(a, FIRST_NORMAL_XID) < 0 || Integer.compareUnsigned(b, FIRST_NORMAL_XID) < 0) {
            return Integer.compareUnsigned(a, b) < 0;
        }
        return a - b < 0;
    }

    /** {@code MultiXactIdPrecedes}: modular comparison. */
    public static boolean multiPrecedes(int a, int b) {
        return a - b < 0;
    }

    @Override
    public String toString() {
        return "CheckPoint{redo=" + dev.strata.storage.pg.Lsn.format(redo()) + " tli=" + thisTimeLineId()
                + " nextXid=" + (nextXid() >>> 32) + ":" + Integer.toUnsignedString((int) nextXid())
                + " nextOid=" + Integer.toUnsignedString(nextOid()) + " nextMulti="
                + Integer.toUnsignedString(nextMulti()) + " nextMultiOffset="
                + Integer.toUnsignedString(nextMultiOffset()) + " oldestXid="
                + Integer.toUnsignedString(oldestXid()) + " oldestMulti=" + Integer.toUnsignedString(oldestMulti())
                + "}";
    }
}

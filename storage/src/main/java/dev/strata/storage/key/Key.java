package dev.strata.storage.key;

import dev.strata.storage.pg.RelTag;

import java.nio.ByteBuffer;

/**
 * An 18-byte key in Neon's layout: {@code f1 u8 | f2 u32 | f3 u32 | f4 u32 | f5 u8 | f6 u32}, big-endian on disk,
 * ordered lexicographically over the fields (unsigned).
 *
 * <pre>
 * item               f1  f2     f3   f4        f5    f6
 * DbDir              00  0      0    0         0     0
 * Relmap file        00  spc    db   0         0     0
 * RelDir             00  spc    db   0         0     1
 * Rel block          00  spc    db   rel       fork  blkno
 * Rel size           00  spc    db   rel       fork  FFFFFFFF
 * SlruDir            01  kind   0    0         0     0        kind: 0 clog, 1 multixact members, 2 offsets
 * SLRU block         01  kind   1    segno     0     blkno
 * SLRU segment size  01  kind   1    segno     0     FFFFFFFF
 * TwoPhaseDir        02  0      0    0         0     0
 * TwoPhase file      02  0      0    0         0     xid
 * ControlFile        03  0      0    0         0     0
 * Checkpoint         03  0      0    0         0     1
 * </pre>
 *
 * Text form: 36 uppercase hex digits, {@code %02X%08X%08X%08X%02X%08X}.
 */
public record Key(int f1, int f2, int f3, int f4, int f5, int f6) implements Comparable<Key> {
    public static final int SIZE = 18;
    public static final Key MIN = new Key(0, 0, 0, 0, 0, 0);
    public static final Key MAX = new Key(0xFF, -1, -1, -1, 0xFF, -1);

    public static final int SLRU_CLOG = 0;
    public static final int SLRU_MULTIXACT_MEMBERS = 1;
    public static final int SLRU_MULTIXACT_OFFSETS = 2;

    private static final int REL_SIZE_BLKNO = 0xFFFF_FFFF;

    public Key {
        if ((f1 & ~0xFF) != 0 || (f5 & ~0xFF) != 0) {
            throw new IllegalArgumentException("key fields f1 and f5 are single bytes: f1=" + f1 + " f5=" + f5);
        }
    }

    public static Key relBlock(RelTag rel, int blkno) {
        return new Key(0, rel.spcNode(), rel.dbNode(), rel.relNode(), rel.forkNum(), blkno);
    }

    public static Key relSize(RelTag rel) {
        return new Key(0, rel.spcNode(), rel.dbNode(), rel.relNode(), rel.forkNum(), REL_SIZE_BLKNO);
    }

    public static Key dbDir() {
        return MIN;
    }

    public static Key relmapFile(int spc, int db) {
        return new Key(0, spc, db, 0, 0, 0);
    }

    public static Key relDir(int spc, int db) {
        return new Key(0, spc, db, 0, 0, 1);
    }

    public static Key slruDir(int kind) {
        return new Key(1, kind, 0, 0, 0, 0);
    }

    public static Key slruBlock(int kind, int segno, int blkno) {
        return new Key(1, kind, 1, segno, 0, blkno);
    }

    public static Key slruSegmentSize(int kind, int segno) {
        return new Key(1, kind, 1, segno, 0, REL_SIZE_BLKNO);
    }

    public static Key twoPhaseDir() {
        return new Key(2, 0, 0, 0, 0, 0);
    }

    public static Key twoPhaseFile(int xid) {
        return new Key(2, 0, 0, 0, 0, xid);
    }

    public static Key controlFile() {
        return new Key(3, 0, 0, 0, 0, 0);
    }

    public static Key checkpoint() {
        return new Key(3, 0, 0, 0, 0, 1);
    }

    /** True for a block of a relation fork (not its size key, not a directory or relmap key). */
    public boolean isRelBlock() {
        return f1 == 0 && f4 != 0 && f6 != REL_SIZE_BLKNO;
    }

    public boolean isRelSize() {
        return f1 == 0 && f4 != 0 && f6 == REL_SIZE_BLKNO;
    }

    public boolean isSlruBlock() {
        return f1 == 1 && f3 == 1 && f6 != REL_SIZE_BLKNO;
    }

    /** The relation fork of a rel block or rel size key. */
    public RelTag relTag() {
        return new RelTag(f2, f3, f4, f5);
    }

    /** The block number of a rel block or SLRU block key. */
    public int blockNumber() {
        return f6;
    }

    /** The next key in order (used for exclusive range ends). */
    public Key next() {
        if (f6 != -1) {
            return new Key(f1, f2, f3, f4, f5, f6 + 1);
        }
        if (f5 != 0xFF) {
            return new Key(f1, f2, f3, f4, f5 + 1, 0);
        }
        if (f4 != -1) {
            return new Key(f1, f2, f3, f4 + 1, 0, 0);
        }
        if (f3 != -1) {
            return new Key(f1, f2, f3 + 1, 0, 0, 0);
        }
        if (f2 != -1) {
            return new Key(f1, f2 + 1, 0, 0, 0, 0);
        }
        if (f1 != 0xFF) {
            return new Key(f1 + 1, 0, 0, 0, 0, 0);
        }
        throw new IllegalStateException("Key.MAX has no successor");
    }

    public void writeTo(ByteBuffer buf) {
        buf.put((byte) f1).putInt(f2).putInt(f3).putInt(f4).put((byte) f5).putInt(f6);
    }

    public byte[] toBytes() {
        ByteBuffer b = ByteBuffer.allocate(SIZE);
        writeTo(b);
        return b.array();
    }

    public static Key readFrom(ByteBuffer buf) {
        return new Key(buf.get() & 0xFF, buf.getInt(), buf.getInt(), buf.getInt(), buf.get() & 0xFF, buf.getInt());
    }

    public static Key fromBytes(byte[] b, int off) {
        return readFrom(ByteBuffer.wrap(b, off, SIZE));
    }

    /** Parses the 36-hex-digit text form. */
    public static Key parse(String hex) {
        if (hex.length() != 36) {
            throw new IllegalArgumentException("a key is 36 hex digits, got " + hex.length() + ": '" + hex + "'");
        }
        try {
            return new Key(Integer.parseInt(hex.substring(0, 2), 16), Integer.parseUnsignedInt(hex.substring(2, 10), 16),
                    Integer.parseUnsignedInt(hex.substring(10, 18), 16), Integer.parseUnsignedInt(hex.substring(18, 26), 16),
                    Integer.parseInt(hex.substring(26, 28), 16), Integer.parseUnsignedInt(hex.substring(28, 36), 16));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a key: '" + hex + "'", e);
        }
    }

    @Override
    public int compareTo(Key o) {
        int c = Integer.compare(f1, o.f1);
        if (c == 0) {
            c = Integer.compareUnsigned(f2, o.f2);
        }
        if (c == 0) {
            c = Integer.compareUnsigned(f3, o.f3);
        }
        if (c == 0) {
            c = Integer.compareUnsigned(f4, o.f4);
        }
        if (c == 0) {
            c = Integer.compare(f5, o.f5);
        }
        return c != 0 ? c : Integer.compareUnsigned(f6, o.f6);
    }

    @Override
    public String toString() {
        return String.format("%02X%08X%08X%08X%02X%08X", f1, f2, f3, f4, f5, f6);
    }
}

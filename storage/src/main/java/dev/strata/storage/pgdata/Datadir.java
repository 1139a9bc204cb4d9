package dev.strata.storage.pgdata;

import dev.strata.storage.KeyNotFoundException;
import dev.strata.storage.key.Key;
import dev.strata.storage.pg.Lsn;
import dev.strata.storage.pg.RelTag;
import dev.strata.storage.timeline.Timeline;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The data directory of a {@link Timeline} at any LSN it can read, decoded from the keys ingest and import write
 * (see {@link DatadirModification} for how each key is maintained). The formats of the values:
 * <ul>
 *   <li>database directory: {@link DbDirectory}; relation directory per database: {@link RelDirectory};</li>
 *   <li>relation block: an 8192-byte page; relation size: u32 LE number of blocks;</li>
 *   <li>relmap file: the 512-byte {@code pg_filenode.map};</li>
 *   <li>SLRU directory: {@link SlruDirectory}; SLRU block: an 8192-byte page; SLRU segment size: u32 LE pages;</li>
 *   <li>two-phase directory: {@link TwoPhaseDirectory}; two-phase file: the state data without its CRC;</li>
 *   <li>a zero-length value under a relation directory, relation size, relmap, SLRU segment size or two-phase
 *       file key is a tombstone: the thing was dropped at that LSN (layers are append-only, so a drop is a new
 *       version, never a deletion);</li>
 *   <li>control file: the 8192-byte pg_control ({@link ControlFileData}); checkpoint: 88 bytes
 *       ({@link CheckPointData}).</li>
 * </ul>
 * Thread-safe: it only reads the timeline.
 */
public final class Datadir implements DatadirView {
    public static final int BLCKSZ = 8192;
    public static final int SLRU_PAGES_PER_SEGMENT = 32;
    public static final int DEFAULTTABLESPACE_OID = 1663;
    public static final int GLOBALTABLESPACE_OID = 1664;
    public static final int RELMAP_FILE_SIZE = 512;

    private final Timeline timeline;

    public Datadir(Timeline timeline) {
        this.timeline = timeline;
    }

    public Timeline timeline() {
        return timeline;
    }

    @Override
    public boolean relExists(RelTag rel, long lsn) {
        // The size key exists exactly while the fork is in its relation directory, and is one small value.
        byte[] v = timeline.getOrNull(Key.relSize(rel), lsn);
        return v != null && v.length != 0;
    }

    @Override
    public int relSize(RelTag rel, long lsn) {
        byte[] v = timeline.getOrNull(Key.relSize(rel), lsn);
        if (v == null || v.length == 0) {
            throw new KeyNotFoundException("relation " + rel + " does not exist at LSN " + Lsn.format(lsn));
        }
        return u32(v, "size of relation " + rel);
    }

    @Override
    public byte[] relPage(RelTag rel, int blkno, long lsn) {
        return checkPage(timeline.getOrNull(Key.relBlock(rel, blkno), lsn), rel, blkno, lsn);
    }

    /** Blocks read through the timeline's {@link Timeline#scanner()}: past the page cache, for runs of blocks. */
    @Override
    public PageScanner pageScanner() {
        Timeline.Scanner s = timeline.scanner();
        return (rel, blkno, lsn) -> checkPage(s.getOrNull(Key.relBlock(rel, blkno), lsn), rel, blkno, lsn);
    }

    private static byte[] checkPage(byte[] page, RelTag rel, int blkno, long lsn) {
        if (page == null) {
            throw new KeyNotFoundException("block " + Integer.toUnsignedString(blkno) + " of relation " + rel
                    + " does not exist at LSN " + Lsn.format(lsn));
        }
        return page;
    }

    @Override
    public List<Database> databases(long lsn) {
        return dbDirectory(lsn).databases();
    }

    /** The decoded database directory. */
    public DbDirectory dbDirectory(long lsn) {
        byte[] v = timeline.getOrNull(Key.dbDir(), lsn);
        if (v == null) {
            throw new KeyNotFoundException("the database directory does not exist at LSN " + Lsn.format(lsn)
                    + " (nothing imported yet)");
        }
        return DbDirectory.decode(v);
    }

    @Override
    public List<RelTag> relations(int spcNode, int dbNode, long lsn) {
        byte[] v = timeline.getOrNull(Key.relDir(spcNode, dbNode), lsn);
        if (v == null || v.length == 0) {
            throw new KeyNotFoundException("database " + Integer.toUnsignedString(spcNode) + "/"
                    + Integer.toUnsignedString(dbNode) + " has no relation directory at LSN " + Lsn.format(lsn));
        }
        return RelDirectory.decode(v).relations(spcNode, dbNode);
    }

    @Override
    public long databaseSize(int dbNode, long lsn) {
        long total = 0;
        boolean found = false;
        for (Database db : databases(lsn)) {
            if (db.dbNode() != dbNode) {
                continue;
            }
            found = true;
            for (RelTag rel : relations(db.spcNode(), db.dbNode(), lsn)) {
                total += Integer.toUnsignedLong(relSize(rel, lsn)) * BLCKSZ;
            }
        }
        if (!found) {
            throw new KeyNotFoundException("database " + Integer.toUnsignedString(dbNode) + " does not exist at LSN "
                    + Lsn.format(lsn));
        }
        return total;
    }

    @Override
    public byte[] relmapFile(int spcNode, int dbNode, long lsn) {
        byte[] v = timeline.getOrNull(Key.relmapFile(spcNode, dbNode), lsn);
        return v == null || v.length == 0 ? null : v;
    }

    @Override
    public List<Integer> slruSegments(int kind, long lsn) {
        byte[] v = timeline.getOrNull(Key.slruDir(kind), lsn);
        if (v == null) {
            throw new KeyNotFoundException(slruName(kind) + " has no segment directory at LSN " + Lsn.format(lsn));
        }
        return SlruDirectory.decode(v).values();
    }

    @Override
    public int slruSegmentSize(int kind, int segno, long lsn) {
        byte[] v = timeline.getOrNull(Key.slruSegmentSize(kind, segno), lsn);
        if (v == null || v.length == 0) {
            throw new KeyNotFoundException(slruName(kind) + " segment " + segmentName(segno) + " does not exist at "
                    + "LSN " + Lsn.format(lsn));
        }
        return u32(v, "size of " + slruName(kind) + " segment " + segmentName(segno));
    }

    @Override
    public byte[] slruPage(int kind, int segno, int blkno, long lsn) {
        byte[] page = timeline.getOrNull(Key.slruBlock(kind, segno, blkno), lsn);
        if (page == null) {
            throw new KeyNotFoundException("page " + blkno + " of " + slruName(kind) + " segment "
                    + segmentName(segno) + " does not exist at LSN " + Lsn.format(lsn));
        }
        return page;
    }

    @Override
    public byte[] slruSegment(int kind, int segno, long lsn) {
        int n = slruSegmentSize(kind, segno, lsn);
        byte[] out = new byte[n * BLCKSZ];
        for (int i = 0; i < n; i++) {
            System.arraycopy(slruPage(kind, segno, i, lsn), 0, out, i * BLCKSZ, BLCKSZ);
        }
        return out;
    }

    @Override
    public List<Integer> twoPhaseXids(long lsn) {
        byte[] v = timeline.getOrNull(Key.twoPhaseDir(), lsn);
        return v == null ? new ArrayList<>() : TwoPhaseDirectory.decode(v).values();
    }

    /** The file {@code pg_twophase/%08X} as PostgreSQL writes it: the stored state data plus its CRC-32C (LE). */
    @Override
    public byte[] twoPhaseFile(int xid, long lsn) {
        byte[] data = timeline.getOrNull(Key.twoPhaseFile(xid), lsn);
        if (data == null || data.length == 0) {
            throw new KeyNotFoundException("no two-phase state for transaction " + Integer.toUnsignedString(xid)
                    + " at LSN " + Lsn.format(lsn));
        }
        CRC32C crc = new CRC32C();
        crc.update(data);
        return ByteBuffer.allocate(data.length + 4).order(ByteOrder.LITTLE_ENDIAN).put(data)
                .putInt((int) crc.getValue()).array();
    }

    @Override
    public byte[] controlFile(long lsn) {
        byte[] v = timeline.getOrNull(Key.controlFile(), lsn);
        if (v == null) {
            throw new KeyNotFoundException("no control file at LSN " + Lsn.format(lsn) + " (nothing imported yet)");
        }
        return v;
    }

    @Override
    public byte[] checkpoint(long lsn) {
        byte[] v = timeline.getOrNull(Key.checkpoint(), lsn);
        if (v == null) {
            throw new KeyNotFoundException("no checkpoint state at LSN " + Lsn.format(lsn)
                    + " (nothing imported yet)");
        }
        return v;
    }

    /** {@code pg_xact}, {@code pg_multixact/members} or {@code pg_multixact/offsets}. */
    public static String slruName(int kind) {
        return switch (kind) {
            case Key.SLRU_CLOG -> "pg_xact";
            case Key.SLRU_MULTIXACT_MEMBERS -> "pg_multixact/members";
            case Key.SLRU_MULTIXACT_OFFSETS -> "pg_multixact/offsets";
            default -> throw new IllegalArgumentException("unknown SLRU kind " + kind);
        };
    }

    /** A segment file name as PostgreSQL writes it: at least four uppercase hex digits. */
    public static String segmentName(int segno) {
        return String.format("%04X", segno);
    }

    static int u32(byte[] v, String what) {
        if (v.length != 4) {
            throw new dev.strata.storage.CorruptionException(what + " is " + v.length + " bytes, expected 4");
        }
        return ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    static byte[] u32Bytes(int n) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(n).array();
    }
}

package dev.strata.wire.testkit;

import dev.strata.storage.KeyNotFoundException;
import dev.strata.storage.key.Key;
import dev.strata.storage.pg.Lsn;
import dev.strata.storage.pg.RelTag;
import dev.strata.storage.pgdata.DatadirView;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * A data-directory view over a {@link MemoryTimeline} for wire tests. Sizes are u32 little-endian values under the
 * size keys; directories are found by scanning keys. {@link #putRelation} and friends fill it.
 */
public final class MemoryDatadir implements DatadirView {
    private final MemoryTimeline tl;

    public MemoryDatadir(MemoryTimeline tl) {
        this.tl = tl;
    }

    static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    static int u32(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    /** Writes a relation fork's pages and size at {@code lsn} (one record). */
    public void putRelation(RelTag rel, long lsn, List<byte[]> pages) {
        var w = tl.writer();
        for (int i = 0; i < pages.size(); i++) {
            w.put(Key.relBlock(rel, i), lsn, dev.strata.storage.value.Value.image(pages.get(i)));
        }
        w.put(Key.relSize(rel), lsn, dev.strata.storage.value.Value.image(u32(pages.size())));
        w.finishRecord(lsn - 8, Math.max(lsn, tl.lastRecordLsn()));
    }

    /** Writes an SLRU segment's pages at {@code lsn}. */
    public void putSlruSegment(int kind, int segno, long lsn, List<byte[]> pages) {
        var w = tl.writer();
        for (int i = 0; i < pages.size(); i++) {
            w.put(Key.slruBlock(kind, segno, i), lsn, dev.strata.storage.value.Value.image(pages.get(i)));
        }
        w.put(Key.slruSegmentSize(kind, segno), lsn, dev.strata.storage.value.Value.image(u32(pages.size())));
        w.finishRecord(lsn - 8, Math.max(lsn, tl.lastRecordLsn()));
    }

    @Override
    public boolean relExists(RelTag rel, long lsn) {
        return tl.getOrNull(Key.relSize(rel), lsn) != null;
    }

    @Override
    public int relSize(RelTag rel, long lsn) {
        byte[] v = tl.getOrNull(Key.relSize(rel), lsn);
        if (v == null) {
            throw new KeyNotFoundException("relation " + rel + " does not exist at LSN " + Lsn.format(lsn));
        }
        return u32(v);
    }

    @Override
    public byte[] relPage(RelTag rel, int blkno, long lsn) {
        return tl.get(Key.relBlock(rel, blkno), lsn);
    }

    @Override
    public List<Database> databases(long lsn) {
        TreeSet<Long> seen = new TreeSet<>();
        List<Database> out = new ArrayList<>();
        for (Key k : tl.keys(Key.MIN, new Key(1, 0, 0, 0, 0, 0), lsn)) {
            if (k.isRelSize() && seen.add(((long) k.f2() << 32) | (k.f3() & 0xFFFFFFFFL))) {
                out.add(new Database(k.f2(), k.f3()));
            }
        }
        return out;
    }

    @Override
    public List<RelTag> relations(int spcNode, int dbNode, long lsn) {
        List<RelTag> out = new ArrayList<>();
        for (Key k : tl.keys(new Key(0, spcNode, dbNode, 0, 0, 0), new Key(0, spcNode, dbNode, -1, 0xFF, -1), lsn)) {
            if (k.isRelSize()) {
                out.add(k.relTag());
            }
        }
        return out;
    }

    @Override
    public long databaseSize(int dbNode, long lsn) {
        long blocks = 0;
        for (RelTag rel : relations(1663, dbNode, lsn)) {
            blocks += relSize(rel, lsn);
        }
        return blocks * 8192;
    }

    @Override
    public byte[] relmapFile(int spcNode, int dbNode, long lsn) {
        return tl.getOrNull(Key.relmapFile(spcNode, dbNode), lsn);
    }

    @Override
    public List<Integer> slruSegments(int kind, long lsn) {
        List<Integer> out = new ArrayList<>();
        for (Key k : tl.keys(new Key(1, kind, 1, 0, 0, 0), new Key(1, kind, 2, 0, 0, 0), lsn)) {
            if (k.f6() == -1) {
                out.add(k.f4());
            }
        }
        return out;
    }

    @Override
    public int slruSegmentSize(int kind, int segno, long lsn) {
        byte[] v = tl.getOrNull(Key.slruSegmentSize(kind, segno), lsn);
        if (v == null) {
            throw new KeyNotFoundException("SLRU " + kind + " segment " + segno + " does not exist at LSN "
                    + Lsn.format(lsn));
        }
        return u32(v);
    }

    @Override
    public byte[] slruPage(int kind, int segno, int blkno, long lsn) {
        return tl.get(Key.slruBlock(kind, segno, blkno), lsn);
    }

    @Override
    public byte[] slruSegment(int kind, int segno, long lsn) {
        int n = slruSegmentSize(kind, segno, lsn);
        byte[] out = new byte[n * 8192];
        for (int i = 0; i < n; i++) {
            System.arraycopy(slruPage(kind, segno, i, lsn), 0, out, i * 8192, 8192);
        }
        return out;
    }

    @Override
    public List<Integer> twoPhaseXids(long lsn) {
        return List.of();
    }

    @Override
    public byte[] twoPhaseFile(int xid, long lsn) {
        throw new KeyNotFoundException("no two-phase file " + xid);
    }

    @Override
    public byte[] controlFile(long lsn) {
        return tl.get(Key.controlFile(), lsn);
    }

    @Override
    public byte[] checkpoint(long lsn) {
        return tl.get(Key.checkpoint(), lsn);
    }
}

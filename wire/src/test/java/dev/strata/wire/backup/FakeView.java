package dev.strata.wire.backup;

import dev.strata.storage.KeyNotFoundException;
import dev.strata.storage.pg.Lsn;
import dev.strata.storage.pg.RelTag;
import dev.strata.storage.pgdata.DatadirView;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntFunction;

/**
 * An in-memory DatadirView for the writer's unit tests: relations are a size plus a page generator, so a
 * relation of more than 1 GiB costs no memory. Real PostgreSQL files are covered by the integration tests.
 */
class FakeView implements DatadirView {
    record Rel(int nblocks, IntFunction<byte[]> pages) {
    }

    final long lsn;
    byte[] control;
    byte[] checkpoint;
    final Map<RelTag, Rel> rels = new TreeMap<>();
    final Map<List<Integer>, byte[]> relmaps = new TreeMap<>((a, b) -> {
        int c = Integer.compareUnsigned(a.get(0), b.get(0));
        return c != 0 ? c : Integer.compareUnsigned(a.get(1), b.get(1));
    });
    final Map<Integer, Map<Integer, byte[]>> slrus = new TreeMap<>();
    final Map<Integer, byte[]> twoPhase = new TreeMap<>();

    FakeView(long lsn) {
        this.lsn = lsn;
        this.checkpoint = Fixtures.checkpoint(lsn - 200);
        this.control = Fixtures.control(checkpoint, 16 << 20, 0);
        relmaps.put(List.of(1664, 0), new byte[512]);
        relmaps.put(List.of(1663, 5), new byte[512]);
        // what initdb leaves: one page of pg_xact and of multixact offsets
        slrus.put(0, new TreeMap<>(Map.of(0, new byte[8192])));
        slrus.put(2, new TreeMap<>(Map.of(0, new byte[8192])));
    }

    FakeView rel(int spc, int db, int rel, int fork, int nblocks, IntFunction<byte[]> pages) {
        rels.put(new RelTag(spc, db, rel, fork), new Rel(nblocks, pages));
        return this;
    }

    /**
     * A page whose every byte is {@code (blkno + salt)}, except pd_lsn (0/1000000 + blkno, before any backup LSN of
     * the tests) and pd_upper (non-zero, so that the page is not "new").
     */
    static byte[] page(int blkno, int salt) {
        byte[] p = new byte[8192];
        java.util.Arrays.fill(p, (byte) (blkno + salt));
        java.nio.ByteBuffer.wrap(p).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(0, 0).putInt(4, 0x1000000 + blkno);
        p[14] = 0x20;
        p[15] = 0x1F;
        return p;
    }

    private void check(long at) {
        if (at != lsn) {
            throw new IllegalArgumentException("the fake view holds " + Lsn.format(lsn) + " only, not "
                    + Lsn.format(at));
        }
    }

    private Rel get(RelTag rel, long at) {
        check(at);
        Rel r = rels.get(rel);
        if (r == null) {
            throw new KeyNotFoundException("no relation " + rel + " at " + Lsn.format(at));
        }
        return r;
    }

    @Override
    public boolean relExists(RelTag rel, long at) {
        check(at);
        return rels.containsKey(rel);
    }

    @Override
    public int relSize(RelTag rel, long at) {
        return get(rel, at).nblocks();
    }

    @Override
    public byte[] relPage(RelTag rel, int blkno, long at) {
        return get(rel, at).pages().apply(blkno);
    }

    @Override
    public List<Database> databases(long at) {
        check(at);
        List<Database> out = new ArrayList<>();
        for (List<Integer> k : relmaps.keySet()) {
            out.add(new Database(k.get(0), k.get(1)));
        }
        for (RelTag r : rels.keySet()) {
            Database d = new Database(r.spcNode(), r.dbNode());
            if (!out.contains(d)) {
                out.add(d);
            }
        }
        return out;
    }

    @Override
    public List<RelTag> relations(int spcNode, int dbNode, long at) {
        check(at);
        return rels.keySet().stream().filter(r -> r.spcNode() == spcNode && r.dbNode() == dbNode).toList();
    }

    @Override
    public long databaseSize(int dbNode, long at) {
        check(at);
        return rels.entrySet().stream().filter(e -> e.getKey().dbNode() == dbNode)
                .mapToLong(e -> e.getValue().nblocks() * 8192L).sum();
    }

    @Override
    public byte[] relmapFile(int spcNode, int dbNode, long at) {
        check(at);
        return relmaps.get(List.of(spcNode, dbNode));
    }

    @Override
    public List<Integer> slruSegments(int kind, long at) {
        check(at);
        return new ArrayList<>(slrus.getOrDefault(kind, Map.of()).keySet());
    }

    @Override
    public int slruSegmentSize(int kind, int segno, long at) {
        return slruSegment(kind, segno, at).length / 8192;
    }

    @Override
    public byte[] slruPage(int kind, int segno, int blkno, long at) {
        return java.util.Arrays.copyOfRange(slruSegment(kind, segno, at), blkno * 8192, blkno * 8192 + 8192);
    }

    @Override
    public byte[] slruSegment(int kind, int segno, long at) {
        check(at);
        byte[] s = slrus.getOrDefault(kind, Map.of()).get(segno);
        if (s == null) {
            throw new KeyNotFoundException("no SLRU segment " + kind + "/" + segno);
        }
        return s;
    }

    @Override
    public List<Integer> twoPhaseXids(long at) {
        check(at);
        return new ArrayList<>(twoPhase.keySet());
    }

    @Override
    public byte[] twoPhaseFile(int xid, long at) {
        check(at);
        return twoPhase.get(xid);
    }

    @Override
    public byte[] controlFile(long at) {
        check(at);
        return control;
    }

    @Override
    public byte[] checkpoint(long at) {
        check(at);
        return checkpoint;
    }
}

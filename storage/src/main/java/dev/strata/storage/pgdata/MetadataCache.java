package dev.strata.storage.pgdata;

import dev.strata.storage.KeyNotFoundException;
import dev.strata.storage.key.Key;
import dev.strata.storage.pg.RelTag;
import dev.strata.storage.timeline.TimelineWriter;
import dev.strata.storage.value.Value;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The writer's copy of the metadata values (directories and sizes), loaded lazily from the timeline and written
 * back once per record for whatever changed. Because ingest is the timeline's only writer, the copy stays
 * authoritative; after a failed record it must be discarded with the {@link DatadirModification}.
 */
final class MetadataCache {
    /** A relation fork or SLRU segment that does not exist (never created, or dropped). */
    static final int ABSENT = -1;
    private static final byte[] TOMBSTONE = new byte[0];

    private final TimelineWriter writer;
    private long readLsn;

    private DbDirectory dbDir;
    private boolean dbDirDirty;
    private final Map<Long, RelDirectory> relDirs = new HashMap<>();
    private final Set<Long> dirtyRelDirs = new LinkedHashSet<>();
    private final Map<RelTag, Integer> relSizes = new HashMap<>();
    private final Map<RelTag, Integer> dirtyRelSizes = new LinkedHashMap<>();
    private final Map<Integer, SlruDirectory> slruDirs = new HashMap<>();
    private final Set<Integer> dirtySlruDirs = new LinkedHashSet<>();
    private final Map<Long, Integer> slruSizes = new HashMap<>();
    private final Map<Long, Integer> dirtySlruSizes = new LinkedHashMap<>();
    private TwoPhaseDirectory twoPhaseDir;
    private boolean twoPhaseDirty;
    /** Whether anything changed since the last flush (most records change no metadata at all). */
    private boolean anyDirty;
    /** The fork looked up last and its size: records touch the same relation again and again. */
    private RelTag lastRel;
    private int lastRelSize;

    MetadataCache(TimelineWriter writer) {
        this.writer = writer;
    }

    /** The LSN loads read at (the current record's LSN: pending values included). */
    void setReadLsn(long lsn) {
        this.readLsn = lsn;
    }

    byte[] read(Key key) {
        try {
            return writer.getPending(key, readLsn);
        } catch (KeyNotFoundException e) {
            return null;
        }
    }

    private static long pair(int a, int b) {
        return (Integer.toUnsignedLong(a) << 32) | Integer.toUnsignedLong(b);
    }

    DbDirectory dbDir() {
        if (dbDir == null) {
            byte[] v = read(Key.dbDir());
            dbDir = v == null || v.length == 0 ? new DbDirectory() : DbDirectory.decode(v);
        }
        return dbDir;
    }

    void dbDirChanged() {
        dbDirDirty = true;
        anyDirty = true;
    }

    /** The relation directory of a database, or null when the database has none. */
    RelDirectory relDir(int spc, int db) {
        long k = pair(spc, db);
        RelDirectory d = relDirs.get(k);
        if (d == null && !relDirs.containsKey(k)) {
            byte[] v = read(Key.relDir(spc, db));
            d = v == null || v.length == 0 ? null : RelDirectory.decode(v);
            relDirs.put(k, d);
        }
        return d;
    }

    void setRelDir(int spc, int db, RelDirectory dir) {
        relDirs.put(pair(spc, db), dir);
        relDirChanged(spc, db);
    }

    void relDirChanged(int spc, int db) {
        dirtyRelDirs.add(pair(spc, db));
        anyDirty = true;
    }

    /** Number of blocks, or {@link #ABSENT}. */
    int relSize(RelTag rel) {
        if (rel.equals(lastRel)) {
            return lastRelSize;
        }
        Integer s = relSizes.get(rel);
        if (s == null) {
            byte[] v = read(Key.relSize(rel));
            s = v == null || v.length == 0 ? ABSENT : Datadir.u32(v, "size of relation " + rel);
            relSizes.put(rel, s);
        }
        lastRel = rel;
        lastRelSize = s;
        return s;
    }

    /** Sets the size ({@link #ABSENT} writes a tombstone). */
    void setRelSize(RelTag rel, int size) {
        relSizes.put(rel, size);
        dirtyRelSizes.put(rel, size);
        anyDirty = true;
        if (rel.equals(lastRel)) {
            lastRelSize = size;
        }
    }

    SlruDirectory slruDir(int kind) {
        return slruDirs.computeIfAbsent(kind, k -> {
            byte[] v = read(Key.slruDir(k));
            return v == null || v.length == 0 ? new SlruDirectory() : SlruDirectory.decode(v);
        });
    }

    void slruDirChanged(int kind) {
        dirtySlruDirs.add(kind);
        anyDirty = true;
    }

    int slruSize(int kind, int segno) {
        return slruSizes.computeIfAbsent(pair(kind, segno), k -> {
            byte[] v = read(Key.slruSegmentSize(kind, segno));
            return v == null || v.length == 0 ? ABSENT
                    : Datadir.u32(v, "size of " + Datadir.slruName(kind) + " segment " + Datadir.segmentName(segno));
        });
    }

    void setSlruSize(int kind, int segno, int size) {
        slruSizes.put(pair(kind, segno), size);
        dirtySlruSizes.put(pair(kind, segno), size);
        anyDirty = true;
    }

    TwoPhaseDirectory twoPhaseDir() {
        if (twoPhaseDir == null) {
            byte[] v = read(Key.twoPhaseDir());
            twoPhaseDir = v == null || v.length == 0 ? new TwoPhaseDirectory() : TwoPhaseDirectory.decode(v);
        }
        return twoPhaseDir;
    }

    void twoPhaseDirChanged() {
        twoPhaseDirty = true;
        anyDirty = true;
    }

    /** Writes every changed value at {@code lsn}; returns the number of values written. */
    int flush(long lsn) {
        if (!anyDirty) {
            return 0;
        }
        anyDirty = false;
        int n = 0;
        if (dbDirDirty) {
            writer.put(Key.dbDir(), lsn, Value.image(dbDir.encode()));
            dbDirDirty = false;
            n++;
        }
        for (long k : dirtyRelDirs) {
            RelDirectory d = relDirs.get(k);
            byte[] v = d == null ? TOMBSTONE : d.encode();
            writer.put(Key.relDir((int) (k >>> 32), (int) k), lsn, Value.image(v));
            n++;
        }
        dirtyRelDirs.clear();
        n += flushSizes(dirtyRelSizes, Key::relSize, lsn);
        for (int kind : dirtySlruDirs) {
            writer.put(Key.slruDir(kind), lsn, Value.image(slruDirs.get(kind).encode()));
            n++;
        }
        dirtySlruDirs.clear();
        n += flushSizes(dirtySlruSizes, k -> Key.slruSegmentSize((int) (k >>> 32), (int) (long) k), lsn);
        if (twoPhaseDirty) {
            writer.put(Key.twoPhaseDir(), lsn, Value.image(twoPhaseDir.encode()));
            twoPhaseDirty = false;
            n++;
        }
        return n;
    }

    private <K> int flushSizes(Map<K, Integer> dirty, Function<K, Key> keyOf, long lsn) {
        int n = 0;
        for (Map.Entry<K, Integer> e : dirty.entrySet()) {
            byte[] v = e.getValue() == ABSENT ? TOMBSTONE : Datadir.u32Bytes(e.getValue());
            writer.put(keyOf.apply(e.getKey()), lsn, Value.image(v));
            n++;
        }
        dirty.clear();
        return n;
    }
}

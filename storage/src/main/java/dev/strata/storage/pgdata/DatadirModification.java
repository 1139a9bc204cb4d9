package dev.strata.storage.pgdata;

import dev.strata.storage.KeyNotFoundException;
import dev.strata.storage.key.Key;
import dev.strata.storage.pg.Lsn;
import dev.strata.storage.pg.RelTag;
import dev.strata.storage.timeline.Timeline;
import dev.strata.storage.timeline.TimelineWriter;
import dev.strata.storage.value.Value;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The write side of {@link Datadir}: turns data-directory operations (what PostgreSQL's redo does to files) into
 * values on a timeline, one record at a time. Ingest and the base-backup import both write through this class.
 *
 * <pre>
 * mod.begin(record.endLsn());          // values of this record are stored at its end LSN
 * mod.putRelRecord(rel, blk, raw, willInit);
 * mod.commit(record.lsn());            // writes changed directories and sizes, then finishRecord
 * </pre>
 *
 * <p>What each operation maintains:
 * <ul>
 *   <li>A block write creates the fork if needed (as PostgreSQL's redo creates missing files) and extends its size
 *       to cover the block. A block at or beyond the size the fork had before the record starts from an all-zero
 *       page, as PostgreSQL's zero-extension does, so its record is stored as will-init; blocks skipped between
 *       the old size and the new one get all-zero images at commit.</li>
 *   <li>Creating a fork adds it to its database's {@link RelDirectory} (and the database to the
 *       {@link DbDirectory}) with size 0; truncating lowers the size; dropping removes it and leaves a tombstone
 *       size. Old block versions stay in the layers but are unreachable: reads check the size, and a later
 *       re-extension starts from zero pages.</li>
 *   <li>SLRU pages work the same way per segment: a change to a page the segment does not have starts from
 *       zeros, as PostgreSQL's SLRU reads do in recovery.</li>
 * </ul>
 *
 * <p>The directory and size values are cached here (see {@link MetadataCache}), so the instance must be the only
 * writer of its timeline; after an exception in the middle of a record the instance must be dropped. Not
 * thread-safe.
 */
public final class DatadirModification {
    private static final byte[] ZERO_PAGE = new byte[Datadir.BLCKSZ];

    private final Timeline timeline;
    private final TimelineWriter writer;
    private final MetadataCache cache;
    private final Map<RelTag, Extension> extensions = new HashMap<>();
    private long lsn = Lsn.INVALID;
    private boolean open;
    private long valuesPut;

    /** Blocks of one fork written by the current record at or beyond the fork's size before the record. */
    private static final class Extension {
        final int oldSize;
        final BitSet written = new BitSet();

        Extension(int oldSize) {
            this.oldSize = oldSize;
        }
    }

    public DatadirModification(Timeline timeline) {
        this.timeline = timeline;
        this.writer = timeline.writer();
        this.cache = new MetadataCache(writer);
    }

    public Timeline timeline() {
        return timeline;
    }

    /** Starts a record: everything put until {@link #commit} is stored at {@code recordEndLsn}. */
    public void begin(long recordEndLsn) {
        if (open) {
            throw new IllegalStateException("record at " + Lsn.format(lsn) + " is still open");
        }
        this.lsn = recordEndLsn;
        this.open = true;
        cache.setReadLsn(recordEndLsn);
    }

    /** The LSN values of the open record are stored at. */
    public long lsn() {
        return lsn;
    }

    /** Values put since this instance was created (for statistics). */
    public long valuesPut() {
        return valuesPut;
    }

    /**
     * Ends the record: zero-fills skipped blocks, writes the changed directories and sizes, and commits with
     * {@link TimelineWriter#finishRecord}, which makes the record's values visible together.
     */
    public void commit(long recordStartLsn) {
        flushPending();
        writer.finishRecord(recordStartLsn, lsn);
        open = false;
    }

    /**
     * Writes the zero-fill images and changed metadata of the open record without committing it (a long import
     * calls this between batches so that the cache does not grow without bound).
     */
    public void flushPending() {
        requireOpen();
        if (!extensions.isEmpty()) {
            for (Map.Entry<RelTag, Extension> e : extensions.entrySet()) {
                fillGap(e.getKey(), e.getValue());
            }
            extensions.clear();
        }
        valuesPut += cache.flush(lsn);
    }

    private void fillGap(RelTag rel, Extension ext) {
        int size = cache.relSize(rel);
        for (int b = ext.oldSize; Integer.compareUnsigned(b, size) < 0; b++) {
            if (!ext.written.get(b - ext.oldSize)) {
                put(Key.relBlock(rel, b), Value.image(ZERO_PAGE));
            }
        }
    }

    private void requireOpen() {
        if (!open) {
            throw new IllegalStateException("no record is open: call begin(lsn) first");
        }
    }

    private void put(Key key, Value value) {
        writer.put(key, lsn, value);
        valuesPut++;
    }

    // ---------------------------------------------------------------- relations

    /** Number of blocks of the fork as of the open record, or -1 when it does not exist. */
    public int relSize(RelTag rel) {
        requireOpen();
        return cache.relSize(rel);
    }

    public boolean relExists(RelTag rel) {
        return relSize(rel) != MetadataCache.ABSENT;
    }

    /**
     * Stores a WAL record under a block it references.
     *
     * @param willInit the block is initialised by the record (BKPBLOCK_WILL_INIT); the value is also will-init when
     *                 the block lies beyond the fork's size, because redo then starts from a zero page
     */
    public void putRelRecord(RelTag rel, int blkno, byte[] rawRecord, boolean willInit) {
        boolean beyond = touchBlock(rel, blkno);
        put(Key.relBlock(rel, blkno), Value.pgRecord(rawRecord, willInit || beyond));
    }

    /** Stores a full page image of a block (an applied full-page image, or an imported or copied page). */
    public void putRelImage(RelTag rel, int blkno, byte[] page) {
        if (page.length != Datadir.BLCKSZ) {
            throw new IllegalArgumentException("a page is " + Datadir.BLCKSZ + " bytes; got " + page.length
                    + " for block " + Integer.toUnsignedString(blkno) + " of " + rel);
        }
        touchBlock(rel, blkno);
        put(Key.relBlock(rel, blkno), Value.image(page));
    }

    /**
     * Stores a Strata record (see {@link dev.strata.storage.redo.StrataRecord}) on an existing block.
     *
     * @return false, storing nothing, when the block is beyond the fork's size or the fork does not exist
     */
    public boolean putRelStrataRecord(RelTag rel, int blkno, byte[] payload) {
        int size = relSize(rel);
        if (size == MetadataCache.ABSENT || Integer.compareUnsigned(blkno, size) >= 0) {
            return false;
        }
        put(Key.relBlock(rel, blkno), Value.strataRecord(payload, false));
        return true;
    }

    /** Creates the fork if missing; returns true when the block is at or beyond the size before this record. */
    private boolean touchBlock(RelTag rel, int blkno) {
        requireOpen();
        int size = cache.relSize(rel);
        if (size == MetadataCache.ABSENT) {
            addRelToDirectory(rel);
            size = 0;
            cache.setRelSize(rel, 0);
        }
        Extension ext = extensions.isEmpty() ? null : extensions.get(rel);
        int base = ext != null ? ext.oldSize : size;
        if (Integer.compareUnsigned(blkno, base) < 0) {
            return false;
        }
        if (ext == null) {
            ext = new Extension(size);
            extensions.put(rel, ext);
        }
        ext.written.set(blkno - base);
        if (Integer.compareUnsigned(blkno, size) >= 0) {
            cache.setRelSize(rel, blkno + 1);
        }
        return true;
    }

    /** SMGR_CREATE: the fork exists afterwards; an existing fork keeps its size and contents. */
    public void createRel(RelTag rel) {
        requireOpen();
        if (cache.relSize(rel) == MetadataCache.ABSENT) {
            addRelToDirectory(rel);
            cache.setRelSize(rel, 0);
        }
    }

    private void addRelToDirectory(RelTag rel) {
        RelDirectory dir = cache.relDir(rel.spcNode(), rel.dbNode());
        if (dir == null) {
            dir = new RelDirectory();
            cache.setRelDir(rel.spcNode(), rel.dbNode(), dir);
            DbDirectory dbs = cache.dbDir();
            if (!dbs.contains(rel.spcNode(), rel.dbNode())) {
                dbs.put(rel.spcNode(), rel.dbNode(), false);
                cache.dbDirChanged();
            }
        }
        if (dir.add(rel.relNode(), rel.forkNum())) {
            cache.relDirChanged(rel.spcNode(), rel.dbNode());
        }
    }

    /** Lowers the fork's size to {@code nblocks} (nothing when it is already that small or does not exist). */
    public void truncateRel(RelTag rel, int nblocks) {
        requireOpen();
        int size = cache.relSize(rel);
        if (size != MetadataCache.ABSENT && Integer.compareUnsigned(nblocks, size) < 0) {
            cache.setRelSize(rel, nblocks);
        }
    }

    /** Removes the fork (nothing when it does not exist). */
    public void dropRel(RelTag rel) {
        requireOpen();
        if (cache.relSize(rel) == MetadataCache.ABSENT) {
            return;
        }
        cache.setRelSize(rel, MetadataCache.ABSENT);
        extensions.remove(rel);
        RelDirectory dir = cache.relDir(rel.spcNode(), rel.dbNode());
        if (dir != null && dir.remove(rel.relNode(), rel.forkNum())) {
            cache.relDirChanged(rel.spcNode(), rel.dbNode());
        }
    }

    /** The forks of a database as of the open record (empty when it has no relation directory). */
    public List<RelTag> relations(int spc, int db) {
        requireOpen();
        RelDirectory dir = cache.relDir(spc, db);
        return dir == null ? new ArrayList<>() : dir.relations(spc, db);
    }

    // ---------------------------------------------------------------- databases

    /** Whether the database directory lists {@code (spc, db)}. */
    public boolean databaseExists(int spc, int db) {
        requireOpen();
        return cache.dbDir().contains(spc, db);
    }

    /** CREATE DATABASE (WAL_LOG strategy) or an imported directory: the database exists, possibly empty. */
    public void createDatabase(int spc, int db) {
        requireOpen();
        DbDirectory dbs = cache.dbDir();
        if (!dbs.contains(spc, db)) {
            dbs.put(spc, db, false);
            cache.dbDirChanged();
        }
        if (cache.relDir(spc, db) == null) {
            cache.setRelDir(spc, db, new RelDirectory());
        }
    }

    /**
     * CREATE DATABASE with the FILE_COPY strategy: the target becomes a copy of the source directory as of the
     * last committed record: every fork with its size, every block as an image, and the relmap file. An existing
     * target directory is replaced, as PostgreSQL's redo removes it first.
     */
    public void copyDatabase(int srcSpc, int srcDb, int spc, int db) {
        requireOpen();
        long readLsn = timeline.lastRecordLsn();
        dropDatabaseContents(spc, db);
        createDatabase(spc, db);
        for (RelTag src : relations(srcSpc, srcDb)) {
            RelTag dst = new RelTag(spc, db, src.relNode(), src.forkNum());
            int n = cache.relSize(src);
            createRel(dst);
            for (int b = 0; n != MetadataCache.ABSENT && Integer.compareUnsigned(b, n) < 0; b++) {
                putRelImage(dst, b, readPage(src, b, readLsn));
            }
        }
        byte[] relmap = cache.read(Key.relmapFile(srcSpc, srcDb));
        if (relmap != null && relmap.length != 0) {
            putRelmap(spc, db, relmap);
        } else if (cache.dbDir().hasRelmap(spc, db)) {
            put(Key.relmapFile(spc, db), Value.image(new byte[0]));
            cache.dbDir().put(spc, db, false);
            cache.dbDirChanged();
        }
    }

    private byte[] readPage(RelTag rel, int blkno, long readLsn) {
        try {
            return timeline.get(Key.relBlock(rel, blkno), readLsn);
        } catch (KeyNotFoundException e) {
            throw new KeyNotFoundException("copying database: block " + Integer.toUnsignedString(blkno) + " of "
                    + rel + " is missing at " + Lsn.format(readLsn) + ": " + e.getMessage());
        }
    }

    /** DROP DATABASE: every fork of it, its relation directory, relmap and directory entry disappear. */
    public void dropDatabase(int spc, int db) {
        requireOpen();
        dropDatabaseContents(spc, db);
        DbDirectory dbs = cache.dbDir();
        if (dbs.hasRelmap(spc, db)) {
            put(Key.relmapFile(spc, db), Value.image(new byte[0]));
        }
        if (dbs.remove(spc, db)) {
            cache.dbDirChanged();
        }
    }

    private void dropDatabaseContents(int spc, int db) {
        for (RelTag rel : relations(spc, db)) {
            cache.setRelSize(rel, MetadataCache.ABSENT);
            extensions.remove(rel);
        }
        if (cache.relDir(spc, db) != null) {
            cache.setRelDir(spc, db, null);
        }
    }

    /** A relmap update (or an imported pg_filenode.map): stores the 512-byte file; the database exists. */
    public void putRelmap(int spc, int db, byte[] file) {
        requireOpen();
        if (file.length != Datadir.RELMAP_FILE_SIZE) {
            throw new IllegalArgumentException("pg_filenode.map of database " + Integer.toUnsignedString(spc) + "/"
                    + Integer.toUnsignedString(db) + " is " + file.length + " bytes, expected "
                    + Datadir.RELMAP_FILE_SIZE);
        }
        put(Key.relmapFile(spc, db), Value.image(file));
        createDatabase(spc, db);
        if (cache.dbDir().put(spc, db, true)) {
            cache.dbDirChanged();
        }
    }

    // ---------------------------------------------------------------- SLRUs, two-phase, control

    /** Pages in an SLRU segment as of the open record, or -1 when it does not exist. */
    public int slruSegmentSize(int kind, int segno) {
        requireOpen();
        return cache.slruSize(kind, segno);
    }

    /** Segment numbers of an SLRU as of the open record, ascending. */
    public List<Integer> slruSegments(int kind) {
        requireOpen();
        return cache.slruDir(kind).values();
    }

    /** Stores a whole SLRU page (a zeroed page, or an imported one), creating or extending its segment. */
    public void putSlruImage(int kind, int segno, int blkno, byte[] page) {
        touchSlruPage(kind, segno, blkno);
        put(Key.slruBlock(kind, segno, blkno), Value.image(page));
    }

    /** Stores a Strata record on an SLRU page; a page the segment does not have starts from zeros. */
    public void putSlruRecord(int kind, int segno, int blkno, byte[] payload) {
        boolean beyond = touchSlruPage(kind, segno, blkno);
        put(Key.slruBlock(kind, segno, blkno), Value.strataRecord(payload, beyond));
    }

    /**
     * Stores a PostgreSQL record on an SLRU page it changes without referencing it as a block (a MultiXact
     * CREATE_ID on its offsets page); a page the segment does not have starts from zeros.
     */
    public void putSlruPgRecord(int kind, int segno, int blkno, byte[] rawRecord) {
        boolean beyond = touchSlruPage(kind, segno, blkno);
        put(Key.slruBlock(kind, segno, blkno), Value.pgRecord(rawRecord, beyond));
    }

    /** Returns true when the page did not exist; skipped pages before it become zero pages now. */
    private boolean touchSlruPage(int kind, int segno, int blkno) {
        requireOpen();
        if (blkno < 0 || blkno >= Datadir.SLRU_PAGES_PER_SEGMENT) {
            throw new IllegalArgumentException(Datadir.slruName(kind) + " page " + blkno + " is outside a segment");
        }
        int size = cache.slruSize(kind, segno);
        if (size == MetadataCache.ABSENT) {
            if (cache.slruDir(kind).add(segno)) {
                cache.slruDirChanged(kind);
            }
            size = 0;
        }
        if (blkno < size) {
            return false;
        }
        for (int b = size; b < blkno; b++) {
            put(Key.slruBlock(kind, segno, b), Value.image(ZERO_PAGE));
        }
        cache.setSlruSize(kind, segno, blkno + 1);
        return true;
    }

    /** Removes an SLRU segment (nothing when it does not exist). */
    public void dropSlruSegment(int kind, int segno) {
        requireOpen();
        if (cache.slruSize(kind, segno) == MetadataCache.ABSENT) {
            return;
        }
        cache.setSlruSize(kind, segno, MetadataCache.ABSENT);
        if (cache.slruDir(kind).remove(segno)) {
            cache.slruDirChanged(kind);
        }
    }

    /** Makes sure the SLRU's directory value exists (an import of a cluster with no segments of it). */
    public void ensureSlruDirectory(int kind) {
        requireOpen();
        if (cache.read(Key.slruDir(kind)) == null) {
            cache.slruDir(kind);
            cache.slruDirChanged(kind);
        }
    }

    /** A prepared transaction's state data (without the file's trailing CRC). */
    public void putTwoPhase(int xid, byte[] stateData) {
        requireOpen();
        if (cache.twoPhaseDir().add(xid)) {
            cache.twoPhaseDirChanged();
        }
        put(Key.twoPhaseFile(xid), Value.image(stateData));
    }

    /** The prepared transaction was committed or rolled back. */
    public void dropTwoPhase(int xid) {
        requireOpen();
        if (cache.twoPhaseDir().remove(xid)) {
            cache.twoPhaseDirChanged();
            put(Key.twoPhaseFile(xid), Value.image(new byte[0]));
        }
    }

    /** Makes sure the two-phase directory value exists. */
    public void ensureTwoPhaseDirectory() {
        requireOpen();
        if (cache.read(Key.twoPhaseDir()) == null) {
            cache.twoPhaseDir();
            cache.twoPhaseDirChanged();
        }
    }

    /** The 8192-byte pg_control. */
    public void putControlFile(byte[] file) {
        requireOpen();
        put(Key.controlFile(), Value.image(file));
    }

    /** The 88-byte CheckPoint. */
    public void putCheckpoint(byte[] checkpoint) {
        requireOpen();
        put(Key.checkpoint(), Value.image(checkpoint));
    }

    /** The stored pg_control as of the open record, or null before the import wrote it. */
    public byte[] controlFile() {
        requireOpen();
        return cache.read(Key.controlFile());
    }

    /** The stored CheckPoint as of the open record, or null before the import wrote it. */
    public byte[] checkpoint() {
        requireOpen();
        return cache.read(Key.checkpoint());
    }
}

package dev.strata.wire.backup;

import dev.strata.storage.StorageException;
import dev.strata.storage.key.Key;
import dev.strata.storage.pg.Lsn;
import dev.strata.storage.pg.RelTag;
import dev.strata.storage.pgdata.DatadirView;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Walks the data directory at an LSN in tar order and hands each entry to a {@link Sink}: the tar writer, or a
 * size counter for {@link BackupWriter#estimatedSize()}. File contents are produced only when the sink asks, one
 * page at a time, so memory stays bounded whatever the database size.
 *
 * <p>Order: the fixed directories; PG_VERSION and the configuration files; the global tablespace (its relmap and
 * relation files); every other database (directory, PG_VERSION, relmap, relation files); pg_xact, pg_multixact
 * members and offsets; pg_twophase; the signal files; pg_wal's segment; {@code global/pg_control} last, so that an
 * archive cut short never holds a control file.
 */
final class BackupContents {
    /** Receives the entries. */
    interface Sink {
        void directory(String path) throws IOException;

        void file(String path, long size, Content content) throws IOException;
    }

    /** Writes exactly the declared number of bytes of one file. */
    @FunctionalInterface
    interface Content {
        void writeTo(TarWriter tar) throws IOException;
    }

    private static final int RELMAP_SIZE = 512;
    private static final int SLRU_PAGES_PER_SEGMENT = 32;

    private final DatadirView view;
    private final long lsn;
    private final BackupOptions opts;
    private final ControlFile control;
    private final SyntheticWal wal;
    private final byte[] pgControl;
    private final boolean checksums;

    BackupContents(DatadirView view, long lsn, BackupOptions opts, ControlFile control, SyntheticWal wal,
                   byte[] pgControl) {
        this.view = view;
        this.lsn = lsn;
        this.opts = opts;
        this.control = control;
        this.wal = wal;
        this.pgControl = pgControl;
        this.checksums = control.dataChecksumVersion() != 0;
    }

    void walk(Sink sink) throws IOException {
        Set<String> dirs = new HashSet<>(PgPaths.SUBDIRS);
        for (String d : PgPaths.SUBDIRS) {
            sink.directory(d);
        }
        List<DatadirView.Database> dbs = new ArrayList<>(read(() -> view.databases(lsn), "the database list"));
        dbs.sort(Comparator.comparing((DatadirView.Database d) -> d.spcNode() != PgPaths.GLOBALTABLESPACE_OID)
                .thenComparing(DatadirView.Database::spcNode, Integer::compareUnsigned)
                .thenComparing(DatadirView.Database::dbNode, Integer::compareUnsigned));
        if (dbs.isEmpty() || dbs.get(0).spcNode() != PgPaths.GLOBALTABLESPACE_OID) {
            throw new BackupException("the timeline has no global tablespace (spc 1664, db 0) at "
                    + Lsn.format(lsn) + ": without global/pg_filenode.map and the shared catalogs PostgreSQL "
                    + "cannot start");
        }
        boolean otherTablespaces = dbs.stream().anyMatch(d -> d.spcNode() != PgPaths.GLOBALTABLESPACE_OID
                && d.spcNode() != PgPaths.DEFAULTTABLESPACE_OID);
        small(sink, "PG_VERSION", ConfigFiles.pgVersion());
        small(sink, "postgresql.conf", ConfigFiles.postgresqlConf(control, lsn, otherTablespaces));
        small(sink, "postgresql.auto.conf", ConfigFiles.postgresqlAutoConf(opts));
        small(sink, "pg_hba.conf", ConfigFiles.pgHbaConf());
        small(sink, "pg_ident.conf", ConfigFiles.pgIdentConf());
        for (DatadirView.Database db : dbs) {
            database(sink, db, dirs);
        }
        for (int kind : new int[]{Key.SLRU_CLOG, Key.SLRU_MULTIXACT_MEMBERS, Key.SLRU_MULTIXACT_OFFSETS}) {
            slru(sink, kind);
        }
        List<Integer> xids = new ArrayList<>(read(() -> view.twoPhaseXids(lsn), "the two-phase transactions"));
        xids.sort(Integer::compareUnsigned);
        for (int xid : xids) {
            byte[] file = TwoPhaseStateFile.withCrc(xid, read(() -> view.twoPhaseFile(xid, lsn),
                    PgPaths.twoPhaseFile(xid)));
            small(sink, PgPaths.twoPhaseFile(xid), file);
        }
        if (!opts.full()) {
            small(sink, "neon.signal", ConfigFiles.neonSignal(wal.prevRecordLsn()));
            small(sink, "zenith.signal", ConfigFiles.neonSignal(wal.prevRecordLsn()));
        }
        if (opts.replica()) {
            small(sink, "standby.signal", new byte[0]);
        }
        if (opts.includeWal()) {
            sink.file("pg_wal/" + wal.segmentFileName(), wal.segmentSize(), tar -> wal.writeSegment(
                    new TarOutput(tar)));
        }
        small(sink, "global/pg_control", pgControl);
    }

    private void database(Sink sink, DatadirView.Database db, Set<String> dirs) throws IOException {
        int spc = db.spcNode();
        String dir = PgPaths.databaseDir(spc, db.dbNode());
        if (spc != PgPaths.GLOBALTABLESPACE_OID && spc != PgPaths.DEFAULTTABLESPACE_OID) {
            mkdir(sink, dirs, "pg_tblspc/" + Integer.toUnsignedString(spc));
            mkdir(sink, dirs, PgPaths.tablespaceVersionDir(spc));
        }
        mkdir(sink, dirs, dir);
        byte[] relmap = read(() -> view.relmapFile(spc, db.dbNode(), lsn), dir + "/pg_filenode.map");
        if (relmap != null) {
            if (relmap.length != RELMAP_SIZE) {
                throw new BackupException(dir + "/pg_filenode.map at " + Lsn.format(lsn) + " is " + relmap.length
                        + " bytes; a relation map file is " + RELMAP_SIZE);
            }
            if (spc != PgPaths.GLOBALTABLESPACE_OID) {
                small(sink, dir + "/PG_VERSION", ConfigFiles.pgVersion());
            }
            small(sink, dir + "/pg_filenode.map", relmap);
        } else if (spc == PgPaths.GLOBALTABLESPACE_OID) {
            throw new BackupException("the timeline has no global/pg_filenode.map at " + Lsn.format(lsn)
                    + "; PostgreSQL cannot start without it");
        }
        List<RelTag> rels = read(() -> view.relations(spc, db.dbNode(), lsn), "the relations of " + dir);
        Set<Integer> unlogged = new HashSet<>();
        for (RelTag r : rels) {
            if (r.forkNum() == RelTag.INIT_FORKNUM) {
                unlogged.add(r.relNode());
            }
        }
        List<PageReadAhead.Run> runs = new ArrayList<>();
        for (RelTag rel : rels) {
            if (rel.forkNum() == RelTag.INIT_FORKNUM) {
                // a clean-shutdown start does not reset unlogged relations, so the main fork must be the init fork
                fork(runs, rel, rel);
                fork(runs, rel.withFork(RelTag.MAIN_FORKNUM), rel);
            } else if (opts.full() && !unlogged.contains(rel.relNode())) {
                fork(runs, rel, rel);
            }
        }
        // one read-ahead for the whole database, so that it runs on from one file into the next
        try (PageReadAhead ahead = new PageReadAhead(view, lsn, checksums, runs)) {
            for (PageReadAhead.Run run : runs) {
                sink.file(run.path(), (long) run.count() * ControlFile.BLCKSZ,
                        run.count() == 0 ? tar -> { } : tar -> ahead.write(tar, run));
            }
        }
    }

    private void mkdir(Sink sink, Set<String> dirs, String dir) throws IOException {
        if (dirs.add(dir)) {
            sink.directory(dir);
        }
    }

    /**
     * Adds the files of fork {@code target}, holding the blocks of {@code source}: one per 1 GiB segment, or one
     * empty file for a fork of 0 blocks.
     */
    private void fork(List<PageReadAhead.Run> runs, RelTag target, RelTag source) {
        long nblocks = Integer.toUnsignedLong(read(() -> view.relSize(source, lsn), "the size of " + source));
        if (nblocks == 0) {
            runs.add(new PageReadAhead.Run(source, 0, 0, PgPaths.relationSegment(target, 0)));
            return;
        }
        for (int seg = 0; (long) seg * ControlFile.RELSEG_SIZE < nblocks; seg++) {
            long first = (long) seg * ControlFile.RELSEG_SIZE;
            int count = (int) Math.min(ControlFile.RELSEG_SIZE, nblocks - first);
            runs.add(new PageReadAhead.Run(source, (int) first, count, PgPaths.relationSegment(target, seg)));
        }
    }

    private void slru(Sink sink, int kind) throws IOException {
        String dir = PgPaths.slruDir(kind);
        List<Integer> segs = new ArrayList<>(read(() -> view.slruSegments(kind, lsn), dir));
        segs.sort(Integer::compareUnsigned);
        for (int segno : segs) {
            String path = PgPaths.slruSegment(kind, segno);
            int pages = read(() -> view.slruSegmentSize(kind, segno, lsn), "the size of " + path);
            if (pages < 0 || pages > SLRU_PAGES_PER_SEGMENT) {
                throw new BackupException(path + " at " + Lsn.format(lsn) + " has " + pages
                        + " pages; an SLRU segment has at most " + SLRU_PAGES_PER_SEGMENT);
            }
            sink.file(path, (long) pages * ControlFile.BLCKSZ, tar -> {
                byte[] data = read(() -> view.slruSegment(kind, segno, lsn), path);
                if (data == null || data.length != pages * ControlFile.BLCKSZ) {
                    throw new BackupException(path + " at " + Lsn.format(lsn) + " is "
                            + (data == null ? "missing" : data.length + " bytes") + " but its size says " + pages
                            + " pages of " + ControlFile.BLCKSZ + " bytes");
                }
                tar.write(data, 0, data.length);
            });
        }
    }

    private static void small(Sink sink, String path, byte[] content) throws IOException {
        sink.file(path, content.length, tar -> tar.write(content, 0, content.length));
    }

    /** Runs a read of the view, turning its errors into ones that name the backup file and LSN. */
    private <T> T read(java.util.function.Supplier<T> reader, String what) {
        try {
            return reader.get();
        } catch (StorageException e) {
            throw new BackupException("reading " + what + " at " + Lsn.format(lsn) + " for a backup: "
                    + e.getMessage(), e);
        }
    }

    /** Adapts a TarWriter's current entry to an OutputStream. */
    private static final class TarOutput extends java.io.OutputStream {
        private final TarWriter tar;

        TarOutput(TarWriter tar) {
            this.tar = tar;
        }

        @Override
        public void write(int b) throws IOException {
            tar.write(new byte[]{(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            tar.write(b, off, len);
        }
    }
}

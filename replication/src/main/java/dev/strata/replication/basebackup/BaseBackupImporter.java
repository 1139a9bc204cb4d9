package dev.strata.replication.basebackup;

import dev.strata.replication.ImportProgress;
import dev.strata.storage.pg.Lsn;
import dev.strata.storage.pgdata.CheckPointData;
import dev.strata.storage.pgdata.ControlFileData;
import dev.strata.storage.pgdata.Datadir;
import dev.strata.storage.pgdata.DatadirModification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Maps the files of a base backup onto a timeline through a {@link DatadirModification} whose open record is at
 * the backup's start LSN:
 * <ul>
 *   <li>{@code global/pg_control} → the control file and the CheckPoint ({@code checkPointCopy});</li>
 *   <li>{@code pg_filenode.map} files → relmap files (and their databases);</li>
 *   <li>relation segment files → one image per 8192-byte block ({@code segno * 131072 + i}), the fork created
 *       even when the file is empty;</li>
 *   <li>{@code pg_xact}, {@code pg_multixact/offsets|members} segments → SLRU page images;</li>
 *   <li>{@code pg_twophase/XXXXXXXX} → two-phase state (the file's CRC checked and stripped);</li>
 *   <li>database directories → database directory entries.</li>
 * </ul>
 * The pages are fuzzy (copied while the primary ran); WAL from the start LSN makes them consistent.
 */
public final class BaseBackupImporter {
    private static final Logger LOG = LoggerFactory.getLogger(BaseBackupImporter.class);
    private static final long LOG_INTERVAL_NANOS = 5_000_000_000L;

    private final DatadirModification mod;
    private final ImportProgress progress;
    private ControlFileData control;
    private long lastLog = System.nanoTime();

    public BaseBackupImporter(DatadirModification mod, ImportProgress progress) {
        this.mod = mod;
        this.progress = progress;
    }

    /**
     * Imports one archive of the backup.
     *
     * @param tablespace the tablespace OID for a {@code <oid>.tar} archive, null for the data directory
     * @param bytesDone  how many backup bytes the stream has delivered so far (for progress)
     */
    public void importArchive(String name, InputStream data, Integer tablespace,
                              java.util.function.LongSupplier bytesDone) throws IOException {
        TarReader tar = new TarReader(data, name);
        TarReader.Entry e;
        while ((e = tar.next()) != null) {
            if (e.isFile() || e.isDirectory()) {
                importEntry(name, e, tablespace);
            }
            if (e.isFile()) {
                progress.fileDone();
            }
            progress.setBytesDone(bytesDone.getAsLong());
            maybeLog();
        }
    }

    private void maybeLog() {
        long now = System.nanoTime();
        if (now - lastLog > LOG_INTERVAL_NANOS) {
            lastLog = now;
            LOG.info("importing base backup: {}", progress);
        }
    }

    private void importEntry(String archive, TarReader.Entry e, Integer tablespace) throws IOException {
        PgDataPath path = PgDataPath.of(tablespace, e.name(), e.isDirectory());
        String where = archive + ":" + e.name();
        if (path instanceof PgDataPath.ControlFile) {
            importControlFile(e.data().readAllBytes(), where);
        } else if (path instanceof PgDataPath.RelmapFile r) {
            mod.putRelmap(r.spc(), r.db(), readExactly(e, Datadir.RELMAP_FILE_SIZE, where));
        } else if (path instanceof PgDataPath.DatabaseDir d) {
            mod.createDatabase(d.spc(), d.db());
        } else if (path instanceof PgDataPath.RelationFile r) {
            importRelationFile(r, e, where);
        } else if (path instanceof PgDataPath.SlruSegment s) {
            importSlruSegment(s, e, where);
        } else if (path instanceof PgDataPath.TwoPhaseFile t) {
            importTwoPhase(t.xid(), e.data().readAllBytes(), where);
        }
    }

    private void importControlFile(byte[] file, String where) {
        control = ControlFileData.parse(file, where);
        mod.putControlFile(control.encode());
        mod.putCheckpoint(control.checkPointCopy().encode());
        LOG.info("imported pg_control: system {} latest checkpoint at {}, {}",
                Long.toUnsignedString(control.systemIdentifier()), Lsn.format(control.checkPoint()),
                control.checkPointCopy());
    }

    private void importRelationFile(PgDataPath.RelationFile r, TarReader.Entry e, String where) throws IOException {
        checkPageMultiple(e, where);
        mod.createRel(r.rel());
        long pages = e.size() / Datadir.BLCKSZ;
        int first = r.segno() * PgDataPath.RELSEG_SIZE;
        for (int i = 0; i < pages; i++) {
            mod.putRelImage(r.rel(), first + i, readPage(e, where));
        }
        progress.pagesImported(pages);
    }

    private void importSlruSegment(PgDataPath.SlruSegment s, TarReader.Entry e, String where) throws IOException {
        checkPageMultiple(e, where);
        long pages = e.size() / Datadir.BLCKSZ;
        if (pages > Datadir.SLRU_PAGES_PER_SEGMENT) {
            throw new IOException(where + ": SLRU segment of " + pages + " pages; at most "
                    + Datadir.SLRU_PAGES_PER_SEGMENT + " expected");
        }
        for (int i = 0; i < pages; i++) {
            mod.putSlruImage(s.kind(), s.segno(), i, readPage(e, where));
        }
        progress.pagesImported(pages);
    }

    private void importTwoPhase(int xid, byte[] file, String where) throws IOException {
        if (file.length < 4) {
            throw new IOException(where + ": two-phase state file of " + file.length + " bytes has no CRC");
        }
        CRC32C crc = new CRC32C();
        crc.update(file, 0, file.length - 4);
        int stored = ByteBuffer.wrap(file, file.length - 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        if (stored != (int) crc.getValue()) {
            throw new IOException(where + ": two-phase state file CRC mismatch (stored "
                    + Integer.toHexString(stored) + ", computed " + Integer.toHexString((int) crc.getValue()) + ")");
        }
        mod.putTwoPhase(xid, Arrays.copyOf(file, file.length - 4));
    }

    private static void checkPageMultiple(TarReader.Entry e, String where) throws IOException {
        if (e.size() % Datadir.BLCKSZ != 0) {
            throw new IOException(where + ": file of " + e.size() + " bytes is not a whole number of "
                    + Datadir.BLCKSZ + "-byte pages");
        }
    }

    private static byte[] readPage(TarReader.Entry e, String where) throws IOException {
        return readExactly(e, Datadir.BLCKSZ, where);
    }

    private static byte[] readExactly(TarReader.Entry e, int n, String where) throws IOException {
        byte[] b = e.data().readNBytes(n);
        if (b.length != n) {
            throw new IOException(where + ": expected " + n + " bytes, the file has " + b.length + " left");
        }
        return b;
    }

    /**
     * Checks that the backup was complete (pg_control seen) and creates the directories a backup of an idle
     * cluster may not have produced values for.
     *
     * @return the imported control file
     * @throws IOException when pg_control was missing
     */
    public ControlFileData finish() throws IOException {
        if (control == null) {
            throw new IOException("the base backup had no global/pg_control; it is incomplete");
        }
        mod.ensureSlruDirectory(dev.strata.storage.key.Key.SLRU_CLOG);
        mod.ensureSlruDirectory(dev.strata.storage.key.Key.SLRU_MULTIXACT_MEMBERS);
        mod.ensureSlruDirectory(dev.strata.storage.key.Key.SLRU_MULTIXACT_OFFSETS);
        mod.ensureTwoPhaseDirectory();
        progress.markDone();
        return control;
    }

    /** The checkpoint the import stored (valid after {@link #finish()}). */
    public CheckPointData checkpoint() {
        return control.checkPointCopy();
    }
}

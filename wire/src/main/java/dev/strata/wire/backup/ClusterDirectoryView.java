package dev.strata.wire.backup;

import dev.strata.storage.KeyNotFoundException;
import dev.strata.storage.StorageException;
import dev.strata.storage.pg.Lsn;
import dev.strata.storage.pg.RelTag;
import dev.strata.storage.pgdata.DatadirView;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A {@link DatadirView} over the files of a cleanly shut-down PostgreSQL 15 data directory, which is the data
 * directory at its last checkpoint. Strata serves backups from its own storage; this view exists to check the
 * backup writer against real PostgreSQL (tests and benchmarks compare a backup built from these files with the
 * cluster itself) and to repack a stopped cluster.
 *
 * <p>The cluster must stay stopped while the view is used: {@link #open} refuses a directory with a
 * {@code postmaster.pid} or a pg_control whose state is not "shut down". The only LSNs it answers for are those
 * from the shutdown checkpoint record's start to the end of WAL ({@link #checkpointLsn()} to
 * {@link #endOfWalLsn()}), where the files are exact; any other LSN is an IllegalArgumentException.
 *
 * <p>Files are named as {@link PgPaths} describes; relation forks are found by listing the database directories
 * (names {@code <relfilenode>[_fsm|_vm|_init][.N]}; pg_internal.init, PG_VERSION, pg_filenode.map and temporary
 * files are not relations).
 */
public final class ClusterDirectoryView implements DatadirView, AutoCloseable {
    private static final Pattern REL_FILE = Pattern.compile("(\\d+)(?:_(fsm|vm|init))?(?:\\.(\\d+))?");
    private static final Pattern SLRU_FILE = Pattern.compile("[0-9A-F]{4,6}");
    private static final Pattern TWOPHASE_FILE = Pattern.compile("[0-9A-F]{8}");

    private final Path dataDir;
    private final byte[] control;
    private final long checkpointLsn;
    private final long prevOfCheckpoint;
    private final long endOfWal;
    private Path openPath;
    private FileChannel openChannel;

    private ClusterDirectoryView(Path dataDir, byte[] control, long checkpointLsn, long prevOfCheckpoint) {
        this.dataDir = dataDir;
        this.control = control;
        this.checkpointLsn = checkpointLsn;
        this.prevOfCheckpoint = prevOfCheckpoint;
        this.endOfWal = checkpointLsn + CheckpointRecord.SIZE;
    }

    /**
     * Opens a stopped cluster's data directory.
     *
     * @throws IOException           when a file cannot be read
     * @throws IllegalStateException when the cluster is running or was not shut down cleanly
     */
    public static ClusterDirectoryView open(Path dataDir) throws IOException {
        if (Files.exists(dataDir.resolve("postmaster.pid"))) {
            throw new IllegalStateException(dataDir + " belongs to a running server (postmaster.pid exists); "
                    + "stop it with 'pg_ctl stop -m fast' first");
        }
        byte[] image = Files.readAllBytes(dataDir.resolve("global/pg_control"));
        ControlFile cf = ControlFile.parse(image, "in " + dataDir);
        if (cf.state() != ControlFile.DB_SHUTDOWNED) {
            throw new IllegalStateException(dataDir + " was not shut down cleanly (pg_control state " + cf.state()
                    + ", 1 is shut down); start it and stop it with 'pg_ctl stop -m fast' first");
        }
        long ckpt = cf.checkPointLsn();
        Path seg = dataDir.resolve("pg_wal").resolve(SyntheticWal.segmentFileName(
                cf.checkPointCopy().timeline(), ckpt, cf.walSegmentSize()));
        ByteBuffer rec = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.READ)) {
            ch.read(rec, Long.remainderUnsigned(ckpt, cf.walSegmentSize()));
        }
        if (rec.getInt(0) != CheckpointRecord.SIZE || rec.get(17) != 0) {
            throw new IllegalStateException("no checkpoint record at " + Lsn.format(ckpt) + " in " + seg);
        }
        return new ClusterDirectoryView(dataDir, image.clone(), ckpt, rec.getLong(8));
    }

    /** LSN of the shutdown checkpoint record (pg_control's checkPoint). */
    public long checkpointLsn() {
        return checkpointLsn;
    }

    /** End of the checkpoint record: the end of WAL, i.e. the cluster's last_record_lsn. */
    public long endOfWalLsn() {
        return endOfWal;
    }

    /** The start of the record that ends at {@code lsn} (the checkpoint's xl_prev, or the checkpoint itself). */
    public long prevRecordLsn(long lsn) {
        checkLsn(lsn);
        return lsn == endOfWal ? checkpointLsn : prevOfCheckpoint;
    }

    private void checkLsn(long lsn) {
        if (lsn != checkpointLsn && lsn != endOfWal) {
            throw new IllegalArgumentException("the files of " + dataDir + " are the data directory at "
                    + Lsn.format(checkpointLsn) + " (its shutdown checkpoint) or " + Lsn.format(endOfWal)
                    + " (the end of WAL), not at " + Lsn.format(lsn));
        }
    }

    @Override
    public boolean relExists(RelTag rel, long lsn) {
        checkLsn(lsn);
        return Files.exists(dataDir.resolve(PgPaths.relationSegment(rel, 0)));
    }

    @Override
    public int relSize(RelTag rel, long lsn) {
        checkLsn(lsn);
        long bytes = 0;
        for (int seg = 0; ; seg++) {
            Path p = dataDir.resolve(PgPaths.relationSegment(rel, seg));
            if (!Files.exists(p)) {
                if (seg == 0) {
                    throw new KeyNotFoundException("relation " + rel + " does not exist at " + Lsn.format(lsn)
                            + " (no file " + p + ")");
                }
                break;
            }
            long size = size(p);
            bytes += size;
            if (size < (long) ControlFile.RELSEG_SIZE * ControlFile.BLCKSZ) {
                break;
            }
        }
        if (bytes % ControlFile.BLCKSZ != 0) {
            throw new StorageException("relation " + rel + " in " + dataDir + " is " + bytes
                    + " bytes, not a whole number of pages");
        }
        return (int) (bytes / ControlFile.BLCKSZ);
    }

    @Override
    public synchronized byte[] relPage(RelTag rel, int blkno, long lsn) {
        checkLsn(lsn);
        long blk = Integer.toUnsignedLong(blkno);
        Path p = dataDir.resolve(PgPaths.relationSegment(rel, (int) (blk / ControlFile.RELSEG_SIZE)));
        return readPage(p, (blk % ControlFile.RELSEG_SIZE) * ControlFile.BLCKSZ, "block " + blk + " of " + rel);
    }

    @Override
    public List<Database> databases(long lsn) {
        checkLsn(lsn);
        List<Database> out = new ArrayList<>();
        out.add(new Database(PgPaths.GLOBALTABLESPACE_OID, 0));
        for (String db : numericEntries(dataDir.resolve("base"))) {
            out.add(new Database(PgPaths.DEFAULTTABLESPACE_OID, Integer.parseUnsignedInt(db)));
        }
        for (String spc : numericEntries(dataDir.resolve("pg_tblspc"))) {
            int spcOid = Integer.parseUnsignedInt(spc);
            for (String db : numericEntries(dataDir.resolve(PgPaths.tablespaceVersionDir(spcOid)))) {
                out.add(new Database(spcOid, Integer.parseUnsignedInt(db)));
            }
        }
        return out;
    }

    @Override
    public List<RelTag> relations(int spcNode, int dbNode, long lsn) {
        checkLsn(lsn);
        List<RelTag> out = new ArrayList<>();
        for (String name : list(dataDir.resolve(PgPaths.databaseDir(spcNode, dbNode)))) {
            Matcher m = REL_FILE.matcher(name);
            if (m.matches() && m.group(3) == null) {
                int fork = m.group(2) == null ? RelTag.MAIN_FORKNUM : RelTag.parseFork(m.group(2));
                out.add(new RelTag(spcNode, dbNode, Integer.parseUnsignedInt(m.group(1)), fork));
            }
        }
        Collections.sort(out);
        return out;
    }

    @Override
    public long databaseSize(int dbNode, long lsn) {
        long total = 0;
        for (Database db : databases(lsn)) {
            if (db.dbNode() == dbNode) {
                for (RelTag rel : relations(db.spcNode(), dbNode, lsn)) {
                    total += (long) relSize(rel, lsn) * ControlFile.BLCKSZ;
                }
            }
        }
        return total;
    }

    @Override
    public byte[] relmapFile(int spcNode, int dbNode, long lsn) {
        checkLsn(lsn);
        Path p = dataDir.resolve(PgPaths.databaseDir(spcNode, dbNode)).resolve("pg_filenode.map");
        return Files.exists(p) ? readAll(p) : null;
    }

    @Override
    public List<Integer> slruSegments(int kind, long lsn) {
        checkLsn(lsn);
        List<Integer> out = new ArrayList<>();
        for (String name : list(dataDir.resolve(PgPaths.slruDir(kind)))) {
            if (SLRU_FILE.matcher(name).matches()) {
                out.add(Integer.parseInt(name, 16));
            }
        }
        Collections.sort(out);
        return out;
    }

    @Override
    public int slruSegmentSize(int kind, int segno, long lsn) {
        checkLsn(lsn);
        return (int) (size(dataDir.resolve(PgPaths.slruSegment(kind, segno))) / ControlFile.BLCKSZ);
    }

    @Override
    public synchronized byte[] slruPage(int kind, int segno, int blkno, long lsn) {
        checkLsn(lsn);
        return readPage(dataDir.resolve(PgPaths.slruSegment(kind, segno)), (long) blkno * ControlFile.BLCKSZ,
                "page " + blkno + " of SLRU segment " + segno);
    }

    @Override
    public byte[] slruSegment(int kind, int segno, long lsn) {
        checkLsn(lsn);
        return readAll(dataDir.resolve(PgPaths.slruSegment(kind, segno)));
    }

    @Override
    public List<Integer> twoPhaseXids(long lsn) {
        checkLsn(lsn);
        List<Integer> out = new ArrayList<>();
        for (String name : list(dataDir.resolve("pg_twophase"))) {
            if (TWOPHASE_FILE.matcher(name).matches()) {
                out.add(Integer.parseUnsignedInt(name, 16));
            }
        }
        return out;
    }

    @Override
    public byte[] twoPhaseFile(int xid, long lsn) {
        checkLsn(lsn);
        return readAll(dataDir.resolve(PgPaths.twoPhaseFile(xid)));
    }

    @Override
    public byte[] controlFile(long lsn) {
        checkLsn(lsn);
        return control.clone();
    }

    @Override
    public byte[] checkpoint(long lsn) {
        checkLsn(lsn);
        byte[] cp = new byte[CheckPoint.SIZE];
        System.arraycopy(control, 40, cp, 0, cp.length);
        return cp;
    }

    private byte[] readPage(Path p, long offset, String what) {
        try {
            if (!p.equals(openPath)) {
                closeChannel();
                openChannel = FileChannel.open(p, StandardOpenOption.READ);
                openPath = p;
            }
            ByteBuffer page = ByteBuffer.allocate(ControlFile.BLCKSZ);
            while (page.hasRemaining()) {
                if (openChannel.read(page, offset + page.position()) < 0) {
                    throw new KeyNotFoundException(what + " is past the end of " + p);
                }
            }
            return page.array();
        } catch (NoSuchFileException e) {
            throw new KeyNotFoundException(what + ": no file " + p);
        } catch (IOException e) {
            throw new StorageException("reading " + what + " from " + p + " at offset " + offset + ": " + e, e);
        }
    }

    private void closeChannel() throws IOException {
        if (openChannel != null) {
            FileChannel ch = openChannel;
            openChannel = null;
            openPath = null;
            ch.close();
        }
    }

    @Override
    public synchronized void close() throws IOException {
        closeChannel();
    }

    private static byte[] readAll(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (NoSuchFileException e) {
            throw new KeyNotFoundException("no file " + p);
        } catch (IOException e) {
            throw new StorageException("reading " + p + ": " + e, e);
        }
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (NoSuchFileException e) {
            throw new KeyNotFoundException("no file " + p);
        } catch (IOException e) {
            throw new StorageException("reading the size of " + p + ": " + e, e);
        }
    }

    private static List<String> list(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new StorageException("listing " + dir + ": " + e, e);
        }
    }

    private static List<String> numericEntries(Path dir) {
        return list(dir).stream().filter(n -> n.matches("\\d+") && Files.isDirectory(dir.resolve(n))).toList();
    }
}

package dev.strata.wire.backup;

import dev.strata.storage.StorageException;
import dev.strata.storage.pg.Lsn;
import dev.strata.storage.pgdata.DatadirView;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.List;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Writes a PostgreSQL 15 data directory as it was at an LSN, read through a {@link DatadirView}, as a tar stream.
 *
 * <pre>
 * BackupWriter w = new BackupWriter(view, lsn, prevRecordLsn, BackupOptions.fullbackup());
 * SyntheticWal wal = w.wal();          // start/end LSN, timeline, system id for BASE_BACKUP's result sets
 * w.writeTo(out);                      // the tar (gzip with BackupOptions.withGzip(true))
 * </pre>
 *
 * <p>The constructor reads the control file and checkpoint state, checks that the SLRU pages a clean start reads
 * are stored ({@link SlruCoverage}), and fails with a {@link BackupException} before anything is written, so a caller can still answer with an error instead of a broken stream. Errors while
 * streaming are BackupExceptions naming the file, block and LSN; the stream is then incomplete and has no
 * pg_control (it is the last entry).
 *
 * <h2>The tar (ustar, see {@link TarWriter}; directories 0700, files 0600, mtime = construction time)</h2>
 * <ol>
 *   <li>Directories: global, pg_wal, pg_wal/archive_status, pg_commit_ts, pg_dynshmem, pg_notify, pg_serial,
 *       pg_snapshots, pg_subtrans, pg_twophase, pg_multixact(/members, /offsets), base, pg_replslot, pg_tblspc,
 *       pg_stat, pg_stat_tmp, pg_xact, pg_logical(/snapshots, /mappings).</li>
 *   <li>PG_VERSION, postgresql.conf, postgresql.auto.conf, pg_hba.conf, pg_ident.conf ({@link ConfigFiles}).</li>
 *   <li>{@code global/pg_filenode.map} and the global tablespace's relations; then per database (sorted by
 *       tablespace and OID): its directory, PG_VERSION and pg_filenode.map (when the database has a relation map),
 *       and its relation forks named as in {@link PgPaths}, split in 1 GiB segments (131072 blocks; a fork of 0
 *       blocks is one empty file). {@code fullbackup} writes every fork; both kinds write each unlogged relation's
 *       init fork twice, as {@code _init} and as the main fork, because a server that starts from a clean shutdown
 *       does not reset unlogged relations, and leave out the other forks of unlogged relations. With
 *       data_checksum_version 1 in pg_control every non-new page gets its checksum recomputed ({@link
 *       PageChecksum}); pages are otherwise written exactly as the view returns them. A page whose pd_lsn is after
 *       the backup LSN is an error (the server would fail its first checkpoint with it).</li>
 *   <li>pg_xact, pg_multixact/members and pg_multixact/offsets segments, as stored (SLRU pages carry no
 *       checksums).</li>
 *   <li>pg_twophase files ({@link TwoPhaseStateFile}: the CRC is appended when the stored state lacks it).</li>
 *   <li>{@code basebackup} only: neon.signal and zenith.signal. {@code --replica}: an empty standby.signal.</li>
 *   <li>{@code pg_wal/<segment>} holding the checkpoint record ({@link SyntheticWal}), unless
 *       {@link BackupOptions#includeWal()} is off.</li>
 *   <li>{@code global/pg_control}: the stored control file (identity, settings, nonce, data_checksum_version)
 *       with state "shut down" (plain layout) or "shut down in recovery" with minRecoveryPoint = redo (standby
 *       layout), checkPoint and checkPointCopy describing the synthetic checkpoint, backup fields cleared, new
 *       CRC ({@link ControlFile}). The checkpoint's counters (next XID/OID/multixact and offset, oldest XID and
 *       multixact with their databases, fullPageWrites, time) are the view's {@link DatadirView#checkpoint} at the
 *       LSN; pg_control's own time is now.</li>
 *   <li>Two zero blocks.</li>
 * </ol>
 * Nothing else: no backup_label (the directory looks cleanly shut down), no pg_internal.init, no
 * postmaster.pid or .opts.
 *
 * <p>Relation pages are read ahead of the writer, in parallel, by {@link PageReadAhead} (one thread per core,
 * shared by all backups), and written in the order above.
 *
 * <p>Memory: the read-ahead's chunk buffers (4 x cores + 4, at most 32, chunks of 256 KiB), one SLRU segment (256 KiB at most),
 * one relation list per database and a 256 KiB output buffer (plus gzip's window), whatever the database size.
 */
public final class BackupWriter {
    /**
     * Sees every tar entry as it is written, before any gzip (for a pg_basebackup manifest: paths, sizes, content
     * checksums). Calls arrive in archive order from the writing thread.
     */
    public interface Listener {
        Listener NONE = new Listener() {
        };

        /** A directory entry; {@code path} ends with '/'. */
        default void directory(String path) {
        }

        /** A file entry begins; {@link #data} then delivers exactly {@code size} bytes. */
        default void beginFile(String path, long size, long mtimeSeconds) {
        }

        default void data(byte[] b, int off, int len) {
        }

        default void endFile() {
        }
    }

    private static final int BUFFER = 256 * 1024;

    private final long mtime;
    private final BackupOptions opts;
    private final SyntheticWal wal;
    private final byte[] pgControl;
    private final BackupContents contents;

    /**
     * Prepares a backup of {@code view} at {@code lsn}.
     *
     * @param lsn           the LSN to back up at: the end of a record the timeline holds (e.g. last_record_lsn)
     * @param prevRecordLsn the start LSN of the record that ends at {@code lsn} (prev_record_lsn), or 0 when it is
     *                      not known: it becomes the checkpoint record's xl_prev
     * @throws BackupException when the stored control file or checkpoint cannot make a startable directory
     */
    public BackupWriter(DatadirView view, long lsn, long prevRecordLsn, BackupOptions opts) {
        this(view, lsn, prevRecordLsn, opts, Instant.now().getEpochSecond());
    }

    BackupWriter(DatadirView view, long lsn, long prevRecordLsn, BackupOptions opts, long nowSeconds) {
        this.opts = opts;
        this.mtime = nowSeconds;
        String at = "at " + Lsn.format(lsn);
        ControlFile control = ControlFile.parse(read(() -> view.controlFile(lsn), "the control file", lsn), at);
        CheckPoint stored = CheckPoint.parse(read(() -> view.checkpoint(lsn), "the checkpoint state", lsn), at);
        if (!opts.replica()) {
            // a standby reads missing SLRU pages as zeros while it recovers; a clean start needs them
            SlruCoverage.check(view, lsn, stored);
        }
        int oldestActive = opts.replica() ? oldestActiveXid(stored.nextXid(),
                read(() -> view.twoPhaseXids(lsn), "the two-phase transactions", lsn)) : 0;
        this.wal = SyntheticWal.create(control, stored, lsn, prevRecordLsn, opts.replica(), oldestActive);
        this.pgControl = opts.replica()
                ? control.forCheckpoint(ControlFile.DB_SHUTDOWNED_IN_RECOVERY, wal.checkpointLsn(), wal.checkpoint(),
                        wal.redoLsn(), nowSeconds)
                : control.forCheckpoint(ControlFile.DB_SHUTDOWNED, wal.checkpointLsn(), wal.checkpoint(), 0,
                        nowSeconds);
        this.contents = new BackupContents(view, lsn, opts, control, wal, pgControl);
    }

    /**
     * Starts the page read-ahead threads and loads the write path's classes, so that a server does this once when
     * it starts instead of in its first backup.
     */
    public static void warmUp() {
        BackupThreads.prestart();
        try {
            Class.forName(PageReadAhead.class.getName() + "$Chunk");
            Class.forName(TarWriter.class.getName());
            Class.forName(PageChecksum.class.getName());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("the backup writer's classes are incomplete", e);
        }
    }

    /** The oldest of next XID and the prepared transactions' XIDs (modulo-2^32 order, as PostgreSQL compares). */
    static int oldestActiveXid(int nextXid, List<Integer> preparedXids) {
        int oldest = nextXid;
        for (int xid : preparedXids) {
            if (xid - oldest < 0) {
                oldest = xid;
            }
        }
        return oldest;
    }

    private static <T> T read(java.util.function.Supplier<T> reader, String what, long lsn) {
        try {
            return reader.get();
        } catch (StorageException e) {
            throw new BackupException("reading " + what + " at " + Lsn.format(lsn) + " for a backup: "
                    + e.getMessage(), e);
        }
    }

    /** The WAL segment and checkpoint this backup's pg_control points at. */
    public SyntheticWal wal() {
        return wal;
    }

    /** The pg_control image the tar ends with (8192 bytes). */
    public byte[] controlFile() {
        return pgControl.clone();
    }

    public BackupOptions options() {
        return opts;
    }

    /**
     * The exact length of the uncompressed tar, headers, padding and trailer included (BASE_BACKUP's PROGRESS
     * estimate). Reads relation and SLRU sizes and the two-phase files, not the pages.
     */
    public long estimatedSize() throws IOException {
        long[] total = {2L * TarWriter.BLOCK};
        contents.walk(new BackupContents.Sink() {
            @Override
            public void directory(String path) {
                total[0] += TarWriter.BLOCK;
            }

            @Override
            public void file(String path, long size, BackupContents.Content content) {
                total[0] += TarWriter.entrySize(size);
            }
        });
        return total[0];
    }

    /** Writes the tar (gzipped if the options say so) to {@code out}; flushes it but leaves it open. */
    public void writeTo(OutputStream out) throws IOException {
        writeTo(out, Listener.NONE);
    }

    /** Like {@link #writeTo(OutputStream)}, telling {@code listener} about every entry. */
    public void writeTo(OutputStream out, Listener listener) throws IOException {
        FastGzip gzip = opts.gzip() ? new FastGzip(out) : null;
        try {
            BufferedOutputStream sink = new BufferedOutputStream(gzip != null ? gzip : out, BUFFER);
            TarWriter tar = new TarWriter(sink, mtime, listener);
            contents.walk(new BackupContents.Sink() {
                @Override
                public void directory(String path) throws IOException {
                    tar.directory(path);
                }

                @Override
                public void file(String path, long size, BackupContents.Content content) throws IOException {
                    tar.beginFile(path, size);
                    content.writeTo(tar);
                    tar.endFile();
                }
            });
            tar.finish();
            sink.flush();
            if (gzip != null) {
                gzip.finish();
            }
            out.flush();
        } finally {
            if (gzip != null) {
                // after a failure no gzip trailer is written, so a reader sees a truncated stream, not a short tar
                gzip.release();
            }
        }
    }

    /** gzip at level 1, as Neon's pageserver compresses basebackups. */
    private static final class FastGzip extends GZIPOutputStream {
        FastGzip(OutputStream out) throws IOException {
            super(out, 64 * 1024);
            def.setLevel(Deflater.BEST_SPEED);
        }

        /** Frees the native deflater without closing the caller's stream. */
        void release() {
            def.end();
        }
    }
}

package dev.strata.wire;

import dev.strata.storage.pgdata.DatadirView;
import dev.strata.storage.timeline.Timeline;
import dev.strata.wire.backup.BackupOptions;
import dev.strata.wire.backup.BackupWriter;
import dev.strata.wire.backup.SyntheticWal;

import java.io.IOException;
import java.io.OutputStream;

/**
 * The pg port's {@link BackupSource} on top of the backup generator ({@link BackupWriter}): the tar of a data
 * directory at an LSN and its synthetic checkpoint segment. The previous record's LSN (the checkpoint record's
 * xl_prev) is known when the backup is at the timeline's last record, and 0 otherwise, as BackupWriter expects.
 */
public final class BackupWriterSource implements BackupSource {
    /** Starts the backup threads now, with the server, rather than in the first backup. */
    public BackupWriterSource() {
        BackupWriter.warmUp();
    }

    /**
     * The start of the record that ends at {@code lsn}, when {@code lsn} is still the timeline's last record LSN,
     * else 0. Ingest moves the pair on while this reads it, prev before last; reading last, then prev, a pair from
     * two different records always has prev at or after last (the newer record starts where the older ended), so
     * such a torn pair is recognised and treated as not known instead of failing the backup.
     */
    static long prevRecordLsn(Timeline tl, long lsn) {
        if (lsn != tl.lastRecordLsn()) {
            return 0;
        }
        long prev = tl.prevRecordLsn();
        return Long.compareUnsigned(prev, lsn) < 0 ? prev : 0;
    }

    private static BackupOptions options(Options o) {
        BackupOptions b = o.full() ? BackupOptions.fullbackup() : BackupOptions.basebackup();
        if (o.replica()) {
            b = b.withReplica(o.primaryConninfo());
        }
        return b.withGzip(o.gzip());
    }

    @Override
    public void writeTar(DatadirView view, Timeline timeline, long lsn, Options options, OutputStream out)
            throws IOException {
        new BackupWriter(view, lsn, prevRecordLsn(timeline, lsn), options(options)).writeTo(out);
    }

    @Override
    public WalSegment walSegment(DatadirView view, Timeline timeline, long lsn) {
        SyntheticWal wal = new BackupWriter(view, lsn, prevRecordLsn(timeline, lsn), BackupOptions.fullbackup()).wal();
        return new WalSegment() {
            public long systemId() {
                return wal.systemIdentifier();
            }

            public int timelineId() {
                return wal.timeline();
            }

            public int segmentSize() {
                return wal.segmentSize();
            }

            public long segmentStart() {
                return wal.segmentStartLsn();
            }

            public long checkpointLsn() {
                return wal.checkpointLsn();
            }

            public long endLsn() {
                return wal.endLsn();
            }

            public void read(long fromLsn, byte[] dst, int off, int len) {
                wal.read(fromLsn, dst, off, len);
            }

            @Override
            public String fileName() {
                return wal.segmentFileName();
            }
        };
    }

    @Override
    public long estimatedSize(DatadirView view, Timeline timeline, long lsn) throws IOException {
        return new BackupWriter(view, lsn, prevRecordLsn(timeline, lsn), BackupOptions.fullbackup()).estimatedSize();
    }
}

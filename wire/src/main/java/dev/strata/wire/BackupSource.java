package dev.strata.wire;

import dev.strata.storage.pgdata.DatadirView;
import dev.strata.storage.timeline.Timeline;

import java.io.IOException;
import java.io.OutputStream;

/**
 * The backup content generator as the pg port calls it: a tar of a complete data directory at an LSN, and the WAL
 * segment that holds the shutdown checkpoint record such a backup starts from. Both must describe the same
 * checkpoint for the same (timeline, LSN).
 */
public interface BackupSource {
    /**
     * @param full            every relation fork included (fullbackup); otherwise what {@code basebackup} holds
     * @param replica         add standby.signal and a primary_conninfo so the started server streams on
     * @param primaryConninfo the primary for --replica, or null
     * @param gzip            gzip the tar
     */
    record Options(boolean full, boolean replica, String primaryConninfo, boolean gzip) {
    }

    /**
     * The WAL segment a backup starts from: one segment file holding the backup's checkpoint record.
     */
    interface WalSegment {
        /** The system identifier in its long page header (and in pg_control). */
        long systemId();

        /** The WAL timeline it is written on. */
        int timelineId();

        /** wal_segment_size in bytes. */
        int segmentSize();

        /** The LSN of its first byte. */
        long segmentStart();

        /** The LSN of the checkpoint record (pg_control's checkPoint): where a backup starts. */
        long checkpointLsn();

        /** The end of that record, where a server started from the backup writes next. */
        long endLsn();

        /** Copies the segment's bytes for [fromLsn, fromLsn + len) into {@code dst}. */
        void read(long fromLsn, byte[] dst, int off, int len);

        /** The file name, {@code TTTTTTTTXXXXXXXXYYYYYYYY}, as PostgreSQL names segments. */
        default String fileName() {
            long segno = Long.divideUnsigned(segmentStart(), segmentSize());
            long perId = 0x1_0000_0000L / segmentSize();
            return String.format("%08X%08X%08X", timelineId(), segno / perId, segno % perId);
        }
    }

    /** Writes the tar stream of the data directory at {@code lsn} to {@code out} with bounded memory. */
    void writeTar(DatadirView view, Timeline timeline, long lsn, Options options, OutputStream out) throws IOException;

    /** The WAL segment with the shutdown checkpoint a backup at {@code lsn} starts from. */
    WalSegment walSegment(DatadirView view, Timeline timeline, long lsn) throws IOException;

    /** The size in bytes of the uncompressed tar {@link #writeTar} would write, or -1 when not known cheaply. */
    default long estimatedSize(DatadirView view, Timeline timeline, long lsn) throws IOException {
        return -1;
    }
}

package dev.strata.storage.wal;

import dev.strata.storage.StorageException;
import dev.strata.storage.pg.Lsn;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads records from the WAL segment files of a directory, as pg_waldump does with {@code --path}: from the first
 * record at or after a start LSN ({@code XLogFindNextRecord}: decoding begins at the start's page and skips a
 * record continued from before it) until the end of the WAL or an end LSN.
 *
 * <p>Records are returned while their last byte is at or below the end LSN. A segment that is shorter than the
 * segment size, carries another system identifier or a newer timeline, or has any other defect is an error that
 * names the file, the offset in it and the LSN; reaching the zeroed or recycled tail of the WAL, or running out of
 * segment files after the last one, ends the reading cleanly with {@link #endReason()}.
 */
public final class WalSegmentReader implements AutoCloseable {
    private static final int CHUNK = 1 << 20;

    private final WalSegmentFiles files;
    private final long startLsn;
    private final long endLsn;
    private final WalStreamDecoder decoder;
    private final byte[] chunk;
    private long segno;
    private FileChannel channel;
    private long segOffset;
    private String endReason;

    /**
     * @param startLsn first record at or after this LSN; {@link Lsn#INVALID} for the start of the oldest segment
     * @param endLsn   stop before a record that ends after this LSN; {@link Lsn#INVALID} to read to the end
     */
    public WalSegmentReader(WalSegmentFiles files, long startLsn, long endLsn) {
        this.files = files;
        int segSize = files.segmentSize();
        this.startLsn = startLsn == Lsn.INVALID ? files.oldestSegment() * segSize : startLsn;
        this.endLsn = endLsn;
        this.segno = this.startLsn / segSize;
        if (files.file(segno) == null) {
            throw new StorageException("no WAL segment file " + files.fileName(segno) + " for start LSN "
                    + Lsn.format(this.startLsn) + " in " + files.dir() + " (segments present: "
                    + files.fileName(files.oldestSegment()) + " .. " + files.fileName(files.segments().lastKey())
                    + ")");
        }
        long pageStart = this.startLsn - this.startLsn % WalPageHeader.XLOG_BLCKSZ;
        this.decoder = new WalStreamDecoder(pageStart, segSize).expectSystemId(files.systemId())
                .maxTimeline(files.timeline());
        this.segOffset = pageStart % segSize;
        this.chunk = new byte[Math.min(CHUNK, segSize)];
    }

    /** Opens the directory's segments of {@code timeline} (0: detect) and reads from {@code startLsn}. */
    public static WalSegmentReader open(Path dir, int timeline, long startLsn, long endLsn) {
        return new WalSegmentReader(WalSegmentFiles.scan(dir, timeline), startLsn, endLsn);
    }

    /**
     * The next record, or null when reading has ended ({@link #endReason()} says why).
     *
     * @throws WalFormatException naming file, offset and LSN when the WAL is invalid
     * @throws StorageException   when a file cannot be read
     */
    public DecodedRecord next() {
        while (endReason == null) {
            DecodedRecord r;
            try {
                r = decoder.next();
            } catch (WalFormatException e) {
                throw withFile(e);
            }
            if (r != null) {
                if (endLsn != Lsn.INVALID && Long.compareUnsigned(decoder.lastRecordDataEnd(), endLsn) > 0) {
                    endReason = "reached the end LSN " + Lsn.format(endLsn);
                    return null;
                }
                if (Long.compareUnsigned(r.lsn(), startLsn) >= 0) {
                    return r;
                }
                continue;
            }
            if (decoder.endOfWal()) {
                endReason = "end of WAL: " + decoder.endOfWalReason();
            } else if (endLsn != Lsn.INVALID && Long.compareUnsigned(decoder.nextRecordLsn(), endLsn) >= 0) {
                endReason = "reached the end LSN " + Lsn.format(endLsn);
            } else {
                feedMore();
            }
        }
        return null;
    }

    /** Why reading ended (end of WAL, end LSN, no more segment files); null while it has not. */
    public String endReason() {
        return endReason;
    }

    /** The LSN of the first record to return (the start given, or the oldest segment's start). */
    public long startLsn() {
        return startLsn;
    }

    public WalSegmentFiles files() {
        return files;
    }

    /** Where the next record would start. */
    public long nextRecordLsn() {
        return decoder.nextRecordLsn();
    }

    /** Feeds the next chunk of the current segment, moving to the next segment file at the end of one. */
    private void feedMore() {
        int segSize = files.segmentSize();
        long needed = decoder.neededFrom();
        if (needed > segno * segSize + segOffset) {
            // the rest of the segment is padding after an XLOG_SWITCH: do not read it
            decoder.skipToNeeded();
            if (needed / segSize != segno) {
                closeChannel();
                segno = needed / segSize;
            }
            segOffset = needed % segSize;
            if (channel != null) {
                try {
                    channel.position(segOffset);
                } catch (IOException e) {
                    throw new StorageException("could not read WAL file " + files.file(segno) + ": " + e, e);
                }
            }
        }
        if (channel != null && segOffset == segSize) {
            closeChannel();
            segno++;
            segOffset = 0;
        }
        if (channel == null && !openSegment()) {
            return;
        }
        try {
            ByteBuffer bb = ByteBuffer.wrap(chunk, 0, (int) Math.min(chunk.length, segSize - segOffset));
            int n = channel.read(bb);
            if (n <= 0) {
                long lsn = segno * segSize + segOffset;
                throw new WalFormatException(lsn, "WAL " + files.describe(lsn) + ": the file is truncated: it has "
                        + segOffset + " bytes, WAL segments have " + segSize, null);
            }
            decoder.feed(chunk, 0, n);
            segOffset += n;
        } catch (IOException e) {
            throw new StorageException("could not read WAL file " + files.file(segno) + ": " + e.getMessage(), e);
        }
    }

    private boolean openSegment() {
        Path file = files.file(segno);
        long lsn = segno * files.segmentSize() + segOffset;
        if (file == null) {
            Long later = files.segments().higherKey(segno);
            if (later != null) {
                throw new WalFormatException(lsn, "WAL segment file " + files.fileName(segno) + " is missing (needed "
                        + "for LSN " + Lsn.format(lsn) + ") but later segment " + files.fileName(later) + " exists",
                        null);
            }
            endReason = "no more WAL: the WAL continues at " + Lsn.format(decoder.nextRecordLsn())
                    + " but there is no segment file " + files.fileName(segno);
            return false;
        }
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
            long size = channel.size();
            if (size > files.segmentSize()) {
                throw new WalFormatException(lsn, "WAL " + files.describe(segno * files.segmentSize()) + ": the file "
                        + "has " + size + " bytes, more than the segment size " + files.segmentSize(), null);
            }
            channel.position(segOffset);
        } catch (IOException e) {
            throw new StorageException("could not open WAL file " + file + ": " + e.getMessage(), e);
        }
        return true;
    }

    /** Adds the file and offset to a decoder error (the file holding the LSN the error names). */
    private WalFormatException withFile(WalFormatException e) {
        long lsn = e.lsn();
        String reading = lsn / files.segmentSize() == segno ? "" : " (while reading " + files.fileName(segno) + ")";
        return new WalFormatException(lsn, "invalid WAL in " + files.describe(lsn) + reading + ": " + e.detail(), e);
    }

    private void closeChannel() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // read-only file: nothing to flush
            }
            channel = null;
        }
    }

    @Override
    public void close() {
        closeChannel();
    }
}

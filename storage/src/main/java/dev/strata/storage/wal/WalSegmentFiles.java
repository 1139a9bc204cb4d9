package dev.strata.storage.wal;

import dev.strata.storage.StorageException;
import dev.strata.storage.pg.Lsn;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The WAL segment files of one timeline in a directory (a {@code pg_wal}, or a data directory holding one).
 *
 * <p>File names are 24 upper-case hex digits {@code TTTTTTTTXXXXXXXXYYYYYYYY}: timeline T, then the segment number
 * split as X = segno / (2^32 / segsize) and Y = segno % (2^32 / segsize). The segment size comes from the long
 * page header at the start of the oldest file ({@code xlp_seg_size}, a power of two from 1 MiB to 1 GiB); the same
 * header gives the system identifier every other segment must carry.
 */
public final class WalSegmentFiles {
    private final Path dir;
    private final int timeline;
    private final int segmentSize;
    private final long systemId;
    private final NavigableMap<Long, Path> segments;

    private WalSegmentFiles(Path dir, int timeline, int segmentSize, long systemId, NavigableMap<Long, Path> segs) {
        this.dir = dir;
        this.timeline = timeline;
        this.segmentSize = segmentSize;
        this.systemId = systemId;
        this.segments = segs;
    }

    /**
     * Lists the segments of {@code dir} (or {@code dir/pg_wal}).
     *
     * @param timeline the timeline to read, or 0 for the only one present (the highest when several are)
     * @throws StorageException naming the directory when there is no usable segment, or naming the file whose
     *                          header cannot be read
     */
    public static WalSegmentFiles scan(Path dir, int timeline) {
        if (!Files.isDirectory(dir)) {
            throw new StorageException("WAL directory " + dir + " does not exist or is not a directory");
        }
        Path walDir = dir;
        TreeMap<String, Path> names = list(walDir);
        if (names.isEmpty() && Files.isDirectory(dir.resolve("pg_wal"))) {
            walDir = dir.resolve("pg_wal");
            names = list(walDir);
        }
        if (names.isEmpty()) {
            throw new StorageException("no WAL segment files (24 hex digits) in " + dir);
        }
        TreeSet<Long> timelines = new TreeSet<>();
        names.keySet().forEach(n -> timelines.add(Long.parseLong(n.substring(0, 8), 16)));
        long tli = timeline != 0 ? Integer.toUnsignedLong(timeline) : timelines.last();
        if (!timelines.contains(tli)) {
            throw new StorageException("no WAL segment files of timeline " + tli + " in " + walDir
                    + " (timelines present: " + timelines + ")");
        }
        String prefix = String.format("%08X", tli);
        Path oldest = names.entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).findFirst()
                .orElseThrow().getValue();
        byte[] header = readLongHeader(oldest);
        int segSize = WalPageHeader.segSize(header, 0);
        long sysid = WalPageHeader.sysid(header, 0);
        long segsPerId = 0x1_0000_0000L / segSize;
        TreeMap<Long, Path> segs = new TreeMap<>();
        for (var e : names.entrySet()) {
            if (e.getKey().startsWith(prefix)) {
                long hi = Long.parseLong(e.getKey().substring(8, 16), 16);
                long lo = Long.parseLong(e.getKey().substring(16, 24), 16);
                if (lo >= segsPerId) {
                    throw new StorageException("WAL file " + e.getValue() + " has a segment number " + lo
                            + " that does not exist with " + segSize + "-byte segments");
                }
                segs.put(hi * segsPerId + lo, e.getValue());
            }
        }
        return new WalSegmentFiles(walDir, (int) tli, segSize, sysid, segs);
    }

    private static TreeMap<String, Path> list(Path dir) {
        TreeMap<String, Path> out = new TreeMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (n.length() == 24 && n.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'))
                        && Files.isRegularFile(p)) {
                    out.put(n, p);
                }
            }
        } catch (IOException e) {
            throw new StorageException("could not list WAL directory " + dir + ": " + e, e);
        }
        return out;
    }

    /** Reads and checks the 40-byte long header that starts every segment file. */
    private static byte[] readLongHeader(Path file) {
        byte[] h = new byte[WalPageHeader.SIZE_LONG];
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer bb = ByteBuffer.wrap(h);
            while (bb.hasRemaining() && ch.read(bb) > 0) {
                // fill the header
            }
            if (bb.hasRemaining()) {
                throw new WalFormatException(0, "WAL file " + file + " offset 0: only " + bb.position()
                        + " bytes, too short for a segment's 40-byte page header", null);
            }
        } catch (IOException e) {
            throw new StorageException("could not read WAL file " + file + ": " + e.getMessage(), e);
        }
        int magic = WalPageHeader.magic(h, 0);
        int info = WalPageHeader.info(h, 0);
        int segSize = WalPageHeader.segSize(h, 0);
        if (magic != WalPageHeader.XLOG_PAGE_MAGIC || (info & WalPageHeader.XLP_LONG_HEADER) == 0
                || !WalPageHeader.validSegmentSize(Integer.toUnsignedLong(segSize))) {
            throw new WalFormatException(WalPageHeader.pageAddr(h, 0), "WAL file " + file + " offset 0: not the "
                    + "start of a PostgreSQL 15 WAL segment (magic " + String.format("%04X", magic) + ", info "
                    + String.format("%04X", info) + ", segment size " + Integer.toUnsignedString(segSize) + ")", null);
        }
        return h;
    }

    public Path dir() {
        return dir;
    }

    public int timeline() {
        return timeline;
    }

    public int segmentSize() {
        return segmentSize;
    }

    /** System identifier of the oldest segment's long header. */
    public long systemId() {
        return systemId;
    }

    /** Segment numbers present, oldest first. */
    public NavigableMap<Long, Path> segments() {
        return segments;
    }

    public long oldestSegment() {
        return segments.firstKey();
    }

    /** The file of segment {@code segno}, or null when absent. */
    public Path file(long segno) {
        return segments.get(segno);
    }

    /** The file name PostgreSQL gives segment {@code segno} on this timeline. */
    public String fileName(long segno) {
        long segsPerId = 0x1_0000_0000L / segmentSize;
        return String.format("%08X%08X%08X", Integer.toUnsignedLong(timeline), segno / segsPerId, segno % segsPerId);
    }

    /** "file NAME offset 0xOFF" for an LSN, as error messages name places. */
    public String describe(long lsn) {
        return "file " + fileName(lsn / segmentSize) + " offset 0x" + Long.toHexString(lsn % segmentSize)
                .toUpperCase() + " (LSN " + Lsn.format(lsn) + ")";
    }
}

package dev.strata.replication.basebackup;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * A streaming reader of the ustar archives BASE_BACKUP sends. Each entry is a 512-byte header followed by its
 * data padded to a multiple of 512; two zero blocks (or the end of the stream) end the archive.
 *
 * <pre>
 * header off  size  field
 *          0   100  name (NUL-padded)
 *        100     8  mode (octal)
 *        124    12  size (octal text, or base-256 when the first byte has bit 0x80 set)
 *        148     8  checksum (octal; sum of the header bytes with this field as spaces)
 *        156     1  typeflag: '0' or NUL file, '5' directory, '2' symlink (others are skipped)
 *        157   100  link name
 *        257     6  "ustar" magic
 *        345   155  prefix (prepended to name with '/', when present)
 * </pre>
 * Entries must be read in order; {@link #next()} skips whatever the caller left unread of the previous one.
 */
public final class TarReader {
    static final int BLOCK = 512;

    /** One archive member. {@code data} is bounded to the member's size. */
    public record Entry(String name, long size, char type, String linkName, InputStream data) {
        public boolean isFile() {
            return type == '0' || type == 0;
        }

        public boolean isDirectory() {
            return type == '5';
        }
    }

    private final InputStream in;
    private final String archive;
    private long offset;
    private BoundedInput current;

    /** @param archive names the archive in errors */
    public TarReader(InputStream in, String archive) {
        this.in = in;
        this.archive = archive;
    }

    /**
     * The next entry, or null at the end of the archive.
     *
     * @throws IOException naming the archive and offset when a header is corrupt or the data ends early
     */
    public Entry next() throws IOException {
        if (current != null) {
            current.skipRest();
            skipFully(padding(current.size));
            current = null;
        }
        byte[] h = new byte[BLOCK];
        if (!readBlock(h)) {
            return null;
        }
        if (isZero(h)) {
            return null;
        }
        long headerOffset = offset - BLOCK;
        checkChecksum(h, headerOffset);
        String name = field(h, 0, 100);
        if (h[257] == 'u' && h[345] != 0) {
            name = field(h, 345, 155) + "/" + name;
        }
        long size = size(h, headerOffset);
        char type = (char) h[156];
        current = new BoundedInput(size);
        return new Entry(name, size, type, field(h, 157, 100), current);
    }

    private boolean readBlock(byte[] h) throws IOException {
        int n = 0;
        while (n < BLOCK) {
            int r = in.read(h, n, BLOCK - n);
            if (r < 0) {
                if (n == 0) {
                    return false;
                }
                throw new EOFException(archive + ": truncated tar header at offset " + offset);
            }
            n += r;
        }
        offset += BLOCK;
        return true;
    }

    private static boolean isZero(byte[] h) {
        for (byte b : h) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private void checkChecksum(byte[] h, long at) throws IOException {
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            sum += (i >= 148 && i < 156) ? ' ' : (h[i] & 0xFF);
        }
        String stored = field(h, 148, 8).trim();
        try {
            if (!stored.isEmpty() && Long.parseLong(stored, 8) != sum) {
                throw new IOException(archive + ": tar header checksum mismatch at offset " + at + " (stored "
                        + stored + ", computed " + Long.toOctalString(sum) + ")");
            }
        } catch (NumberFormatException e) {
            throw new IOException(archive + ": tar header at offset " + at + " has checksum '" + stored + "'", e);
        }
    }

    private long size(byte[] h, long at) throws IOException {
        if ((h[124] & 0x80) != 0) {
            long v = 0;
            for (int i = 125; i < 136; i++) {
                v = (v << 8) | (h[i] & 0xFF);
            }
            return v;
        }
        String s = field(h, 124, 12).trim();
        try {
            return s.isEmpty() ? 0 : Long.parseLong(s, 8);
        } catch (NumberFormatException e) {
            throw new IOException(archive + ": tar header at offset " + at + " has size '" + s + "'", e);
        }
    }

    private static String field(byte[] h, int off, int len) {
        int end = off;
        while (end < off + len && h[end] != 0) {
            end++;
        }
        return new String(h, off, end - off, StandardCharsets.UTF_8);
    }

    private static long padding(long size) {
        return (BLOCK - size % BLOCK) % BLOCK;
    }

    private void skipFully(long n) throws IOException {
        byte[] buf = new byte[(int) Math.min(n, 8192)];
        while (n > 0) {
            int r = in.read(buf, 0, (int) Math.min(n, buf.length));
            if (r < 0) {
                throw new EOFException(archive + ": archive ends inside an entry at offset " + offset);
            }
            n -= r;
            offset += r;
        }
    }

    /** The current entry's data. */
    private final class BoundedInput extends InputStream {
        final long size;
        long remaining;

        BoundedInput(long size) {
            this.size = size;
            this.remaining = size;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining == 0) {
                return -1;
            }
            int r = in.read(b, off, (int) Math.min(len, remaining));
            if (r < 0) {
                throw new EOFException(archive + ": archive ends inside an entry at offset " + offset);
            }
            remaining -= r;
            offset += r;
            return r;
        }

        void skipRest() throws IOException {
            skipFully(remaining);
            remaining = 0;
        }
    }
}

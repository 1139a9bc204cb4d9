package dev.strata.wire.backup;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes a POSIX ustar archive, one entry at a time, straight to an OutputStream.
 *
 * <p>Each entry is a 512-byte header followed by the content, zero-padded to a multiple of 512; the archive ends
 * with two zero blocks. Header fields (numbers are octal ASCII, NUL-terminated, zero-padded on the left):
 * <pre>
 * off size field
 *   0 100  name       path, '/'-separated, directories end with '/'
 * 100   8  mode       0700 for directories, 0600 for files
 * 108   8  uid        0
 * 116   8  gid        0
 * 124  12  size       content bytes (0 for directories); 11 octal digits, so below 8 GiB
 * 136  12  mtime      seconds since the Unix epoch
 * 148   8  chksum     sum of all header bytes with this field taken as 8 spaces: 6 octal digits, NUL, space
 * 156   1  typeflag   '0' file, '5' directory
 * 157 100  linkname   empty
 * 257   6  magic      "ustar" NUL
 * 263   2  version    "00"
 * 265  32  uname      empty
 * 297  32  gname      empty
 * 329   8  devmajor   empty
 * 337   8  devminor   empty
 * 345 155  prefix     empty: every path is kept below 100 bytes, because pg_basebackup reads only the name
 *                     field
 * 500  12  padding    zeros
 * </pre>
 */
final class TarWriter {
    static final int BLOCK = 512;
    private static final int NAME_MAX = 100;
    private static final long SIZE_MAX = 077777777777L;
    private static final byte[] ZEROS = new byte[2 * BLOCK];

    private final OutputStream out;
    private final long mtime;
    private final BackupWriter.Listener listener;
    private final byte[] header = new byte[BLOCK];
    private long remaining = -1;
    private long written;

    TarWriter(OutputStream out, long mtimeSeconds, BackupWriter.Listener listener) {
        this.out = out;
        this.mtime = mtimeSeconds;
        this.listener = listener;
    }

    void directory(String path) throws IOException {
        String name = path.endsWith("/") ? path : path + "/";
        writeHeader(name, 0700, 0, '5');
        listener.directory(name);
    }

    /** Starts a file of exactly {@code size} bytes; write them with {@link #write}, then call {@link #endFile}. */
    void beginFile(String path, long size) throws IOException {
        if (size < 0 || size > SIZE_MAX) {
            throw new IllegalArgumentException("tar entry " + path + " has size " + size
                    + "; a ustar entry holds 0 to 8 GiB - 1 bytes");
        }
        writeHeader(path, 0600, size, '0');
        remaining = size;
        listener.beginFile(path, size, mtime);
    }

    void write(byte[] b, int off, int len) throws IOException {
        if (len > remaining) {
            throw new IllegalStateException("tar entry content overruns its declared size by "
                    + (len - remaining) + " bytes");
        }
        out.write(b, off, len);
        listener.data(b, off, len);
        remaining -= len;
        written += len;
    }

    void endFile() throws IOException {
        if (remaining != 0) {
            throw new IllegalStateException("tar entry content is " + remaining + " bytes short of its size");
        }
        int pad = (int) ((BLOCK - written % BLOCK) % BLOCK);
        out.write(ZEROS, 0, pad);
        written += pad;
        remaining = -1;
        listener.endFile();
    }

    /** A whole small file. */
    void file(String path, byte[] content) throws IOException {
        beginFile(path, content.length);
        write(content, 0, content.length);
        endFile();
    }

    /** Writes the two zero blocks that end the archive. */
    void finish() throws IOException {
        out.write(ZEROS, 0, 2 * BLOCK);
        written += 2 * BLOCK;
    }

    /** Bytes written so far, headers and padding included. */
    long bytesWritten() {
        return written;
    }

    /** Archive bytes an entry of {@code size} content bytes takes: header plus padded content. */
    static long entrySize(long size) {
        return BLOCK + (size + BLOCK - 1) / BLOCK * BLOCK;
    }

    private void writeHeader(String name, int mode, long size, char type) throws IOException {
        if (remaining >= 0) {
            throw new IllegalStateException("tar entry " + name + " started before the previous one ended");
        }
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        if (nameBytes.length == 0 || nameBytes.length > NAME_MAX || name.startsWith("/") || name.contains("..")) {
            throw new IllegalArgumentException("tar entry name '" + name + "' must be a relative path of 1 to "
                    + NAME_MAX + " bytes without '..'");
        }
        java.util.Arrays.fill(header, (byte) 0);
        System.arraycopy(nameBytes, 0, header, 0, nameBytes.length);
        octal(100, 8, mode);
        octal(108, 8, 0);
        octal(116, 8, 0);
        octal(124, 12, size);
        octal(136, 12, mtime);
        header[156] = (byte) type;
        ascii(257, "ustar");
        ascii(263, "00");
        java.util.Arrays.fill(header, 148, 156, (byte) ' ');
        long sum = 0;
        for (byte b : header) {
            sum += b & 0xFF;
        }
        octal(148, 7, sum);
        header[155] = ' ';
        out.write(header);
        written += BLOCK;
    }

    /** {@code value} in octal, zero-padded to {@code len - 1} digits, NUL-terminated. */
    private void octal(int off, int len, long value) {
        String s = Long.toOctalString(value);
        int digits = len - 1;
        if (s.length() > digits) {
            throw new IllegalArgumentException("value " + value + " does not fit a " + len + "-byte tar field");
        }
        for (int i = 0; i < digits; i++) {
            int from = i - (digits - s.length());
            header[off + i] = (byte) (from < 0 ? '0' : s.charAt(from));
        }
        header[off + digits] = 0;
    }

    private void ascii(int off, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, header, off, b.length);
    }
}

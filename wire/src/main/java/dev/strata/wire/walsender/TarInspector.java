package dev.strata.wire.walsender;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Passes a tar stream through while reading its headers: adds each regular file to the backup manifest
 * (path, size, mtime, checksum of its bytes), drops the files under {@code pg_wal/} when the client streams its
 * WAL itself (they would collide with what it writes there), and makes sure the archive ends with the two zero
 * blocks PostgreSQL 15 sends.
 *
 * <pre>
 * header block (512 bytes): name 0..100 | mode 100 | uid 108 | gid 116 | size 124..136 (octal, or base-256 when
 *                           the top bit is set) | mtime 136..148 | chksum 148 | typeflag 156 | linkname 157 |
 *                           magic 257..263 ("ustar\0" POSIX: prefix 345..500 joins the name; "ustar  \0" GNU)
 * typeflag '0' or NUL: file | '5' directory | '2' symlink | 'L' GNU long name for the next entry |
 *          'x' pax header for the next entry (path=...) | 'g' pax global header
 * data, padded with zeros to a multiple of 512; end: two zero blocks
 * </pre>
 *
 * Memory: one header block plus the extension headers of one entry (bounded by {@link #MAX_EXTENSION}).
 */
public final class TarInspector extends FilterOutputStream {
    static final int BLOCK = 512;
    static final int MAX_EXTENSION = 64 * 1024;

    private final BackupManifest manifest;
    private final boolean dropWal;
    private final byte[] header = new byte[BLOCK];
    private int headerFill;
    /** Extension entries (GNU long name, pax) seen before the entry they describe, held until we keep or drop it. */
    private final ByteArrayOutputStream pendingExtension = new ByteArrayOutputStream();
    private String pendingName;
    private boolean inExtension;
    private final ByteArrayOutputStream extensionData = new ByteArrayOutputStream();
    private char extensionType;
    private long remaining;
    private long padding;
    private boolean keep;
    private String entryName;
    private long entrySize;
    private long entryMtime;
    private BackupManifest.FileChecksum checksum;
    private int zeroBlocks;
    private long bytesOut;
    private boolean finished;

    /** @param manifest null when no manifest is wanted */
    public TarInspector(OutputStream out, BackupManifest manifest, boolean dropWal) {
        super(out);
        this.manifest = manifest;
        this.dropWal = dropWal;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[]{(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            int n;
            if (remaining > 0) {
                n = (int) Math.min(len, remaining);
                data(b, off, n);
                remaining -= n;
                if (remaining == 0) {
                    endData();
                }
            } else if (padding > 0) {
                n = (int) Math.min(len, padding);
                if (inExtension) {
                    pendingExtension.write(b, off, n);
                } else {
                    pass(b, off, n, keep);
                }
                padding -= n;
                if (padding == 0) {
                    afterPadding();
                }
            } else {
                n = Math.min(len, BLOCK - headerFill);
                System.arraycopy(b, off, header, headerFill, n);
                headerFill += n;
                if (headerFill == BLOCK) {
                    headerFill = 0;
                    header();
                }
            }
            off += n;
            len -= n;
        }
    }

    private void data(byte[] b, int off, int n) throws IOException {
        if (inExtension) {
            if (pendingExtension.size() + n > MAX_EXTENSION) {
                throw new IOException("tar extension header longer than " + MAX_EXTENSION + " bytes");
            }
            extensionData.write(b, off, n);
            pendingExtension.write(b, off, n);
            return;
        }
        if (checksum != null) {
            checksum.update(b, off, n);
        }
        pass(b, off, n, keep);
    }

    private void endData() throws IOException {
        if (inExtension) {
            String text = extensionData.toString(StandardCharsets.UTF_8);
            if (extensionType == 'L') {
                pendingName = text.indexOf('\0') >= 0 ? text.substring(0, text.indexOf('\0')) : text;
            } else if (extensionType == 'x') {
                String path = paxPath(text);
                if (path != null) {
                    pendingName = path;
                }
            }
        }
        if (padding == 0) {
            afterPadding();
        }
    }

    private void afterPadding() {
        if (inExtension) {
            inExtension = false;
            return;
        }
        if (keep && checksum != null && manifest != null) {
            manifest.addFile(entryName, entrySize, entryMtime, checksum);
        }
        checksum = null;
    }

    private void header() throws IOException {
        if (isZero(header)) {
            zeroBlocks++;
            return;
        }
        if (zeroBlocks > 0) {
            throw new IOException("tar stream has data after its end-of-archive blocks");
        }
        long size = parseSize(header);
        char type = (char) header[156];
        remaining = size;
        padding = (BLOCK - size % BLOCK) % BLOCK;
        if (type == 'L' || type == 'x') {
            inExtension = true;
            extensionType = type;
            extensionData.reset();
            pendingExtension.write(header, 0, BLOCK);
            if (size == 0) {
                endData();
            }
            return;
        }
        String name = normalize(pendingName != null ? pendingName : headerName(header));
        pendingName = null;
        boolean file = type == '0' || type == 0 || type == '7';
        keep = !(dropWal && file && name.startsWith("pg_wal/"));
        if (keep) {
            pendingExtension.writeTo(out);
            bytesOut += pendingExtension.size();
            pass(header, 0, BLOCK, true);
        }
        pendingExtension.reset();
        boolean listed = file && keep && !name.startsWith("pg_wal/") && !name.equals("backup_manifest");
        checksum = listed && manifest != null ? manifest.newChecksum() : null;
        entryName = name;
        entrySize = size;
        entryMtime = parseOctal(header, 136, 12);
        if (size == 0 && padding == 0) {
            afterPadding();
        }
    }

    private void pass(byte[] b, int off, int n, boolean forward) throws IOException {
        if (forward) {
            out.write(b, off, n);
            bytesOut += n;
        }
    }

    /** Ends the archive with two zero blocks (once) and flushes; does not close the underlying stream. */
    public void finish() throws IOException {
        if (finished) {
            return;
        }
        if (remaining > 0 || padding > 0 || headerFill > 0 || inExtension) {
            throw new IOException("tar stream ended inside an entry (" + entryName + ")");
        }
        finished = true;
        byte[] trailer = new byte[2 * BLOCK];
        out.write(trailer);
        bytesOut += trailer.length;
        out.flush();
    }

    /** Archive bytes passed on so far (uncompressed). */
    public long bytesOut() {
        return bytesOut;
    }

    @Override
    public void close() throws IOException {
        finish();
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static String headerName(byte[] h) {
        String name = cstring(h, 0, 100);
        boolean posix = h[257] == 'u' && h[262] == 0 && h[263] == '0';
        if (posix) {
            String prefix = cstring(h, 345, 155);
            if (!prefix.isEmpty()) {
                return prefix + "/" + name;
            }
        }
        return name;
    }

    private static String normalize(String name) {
        String n = name.startsWith("./") ? name.substring(2) : name;
        return n.endsWith("/") ? n.substring(0, n.length() - 1) : n;
    }

    private static String cstring(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) {
            end++;
        }
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    static long parseSize(byte[] h) throws IOException {
        if ((h[124] & 0x80) != 0) {
            long v = 0;
            for (int i = 125; i < 136; i++) {
                v = (v << 8) | (h[i] & 0xFF);
            }
            return v;
        }
        return parseOctal(h, 124, 12);
    }

    private static long parseOctal(byte[] h, int off, int len) {
        int i = off;
        int end = off + len;
        while (i < end && h[i] == ' ') {
            i++;
        }
        long v = 0;
        while (i < end && h[i] >= '0' && h[i] <= '7') {
            v = v * 8 + (h[i++] - '0');
        }
        return v;
    }

    /** The {@code path} record of a pax header ("len key=value\n" records), or null. */
    private static String paxPath(String text) {
        for (String line : text.split("\n")) {
            int space = line.indexOf(' ');
            int eq = line.indexOf('=');
            if (space > 0 && eq > space && line.substring(space + 1, eq).equals("path")) {
                return line.substring(eq + 1);
            }
        }
        return null;
    }
}

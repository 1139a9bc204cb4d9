package dev.strata.wire.walsender;

import dev.strata.storage.pg.Lsn;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.zip.CRC32C;

/**
 * A backup manifest in PostgreSQL 15's format (backup_manifest.c), byte for byte as the server writes it, so
 * pg_basebackup stores it and pg_verifybackup checks it:
 *
 * <pre>
 * { "PostgreSQL-Backup-Manifest-Version": 1,
 * "Files": [
 * { "Path": "global/pg_control", "Size": 8192, "Last-Modified": "2026-11-21 10:36:00 GMT",
 *   "Checksum-Algorithm": "CRC32C", "Checksum": "&lt;hex&gt;" },      (one line per file, comma-separated)
 * ...
 * ],
 * "WAL-Ranges": [
 * { "Timeline": 1, "Start-LSN": "0/3000028", "End-LSN": "0/30000A0" }
 * ],
 * "Manifest-Checksum": "&lt;SHA-256 hex of every byte before this key&gt;"}
 * </pre>
 *
 * A CRC32C checksum is the four bytes of the CRC as PostgreSQL holds it in memory (little-endian on x86-64), in
 * hex. Paths that are not valid UTF-8, or every path under MANIFEST 'force-encode', are written as hex in
 * {@code Encoded-Path}.
 */
public final class BackupManifest {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'GMT'")
            .withZone(ZoneOffset.UTC);

    private final StringBuilder text = new StringBuilder("{ \"PostgreSQL-Backup-Manifest-Version\": 1,\n\"Files\": [");
    private final String algorithm;
    private final boolean forceEncode;
    private boolean first = true;

    /** @param algorithm NONE, CRC32C, SHA224, SHA256, SHA384 or SHA512 */
    public BackupManifest(String algorithm, boolean forceEncode) {
        this.algorithm = algorithm;
        this.forceEncode = forceEncode;
    }

    /** A running checksum of one file's bytes in the manifest's algorithm. */
    public final class FileChecksum {
        private final CRC32C crc = new CRC32C();
        private final MessageDigest digest;

        FileChecksum() {
            digest = algorithm.startsWith("SHA") ? sha(algorithm) : null;
        }

        public void update(byte[] b, int off, int len) {
            if (digest != null) {
                digest.update(b, off, len);
            } else {
                crc.update(b, off, len);
            }
        }

        String hex() {
            if (digest != null) {
                return HexFormat.of().formatHex(digest.digest());
            }
            long v = crc.getValue();
            byte[] le = {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
            return HexFormat.of().formatHex(le);
        }
    }

    public FileChecksum newChecksum() {
        return new FileChecksum();
    }

    /** Adds one file (path relative to the data directory). */
    public void addFile(String path, long size, long mtimeSeconds, FileChecksum checksum) {
        text.append(first ? "\n" : ",\n");
        first = false;
        if (forceEncode) {
            text.append("{ \"Encoded-Path\": \"")
                    .append(HexFormat.of().formatHex(path.getBytes(StandardCharsets.UTF_8))).append("\", ");
        } else {
            text.append("{ \"Path\": ").append(jsonString(path)).append(", ");
        }
        text.append("\"Size\": ").append(size).append(", \"Last-Modified\": \"")
                .append(TIME.format(Instant.ofEpochSecond(mtimeSeconds))).append('"');
        if (!algorithm.equals("NONE")) {
            text.append(", \"Checksum-Algorithm\": \"").append(algorithm).append("\", \"Checksum\": \"")
                    .append(checksum.hex()).append('"');
        }
        text.append(" }");
    }

    /** Closes the file list, adds the WAL range and the manifest checksum; returns the manifest bytes. */
    public byte[] finish(int timeline, long startLsn, long endLsn) {
        text.append("\n],\n\"WAL-Ranges\": [\n");
        text.append("{ \"Timeline\": ").append(Integer.toUnsignedString(timeline)).append(", \"Start-LSN\": \"")
                .append(Lsn.format(startLsn)).append("\", \"End-LSN\": \"").append(Lsn.format(endLsn))
                .append("\" }");
        text.append("\n],\n");
        byte[] body = text.toString().getBytes(StandardCharsets.UTF_8);
        String sum = HexFormat.of().formatHex(sha("SHA256").digest(body));
        text.append("\"Manifest-Checksum\": \"").append(sum).append("\"}\n");
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static MessageDigest sha(String name) {
        try {
            return MessageDigest.getInstance("SHA-" + name.substring(3));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(name + " is part of every JDK", e);
        }
    }

    /** JSON string literal with PostgreSQL's escape_json rules. */
    static String jsonString(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}

package dev.strata.storage.wal;

/** Little-endian reads from byte arrays (WAL from x86-64 PostgreSQL is little-endian throughout). */
final class Bytes {
    private Bytes() {
    }

    static int le16(byte[] b, int off) {
        return (b[off] & 0xFF) | (b[off + 1] & 0xFF) << 8;
    }

    static int le32(byte[] b, int off) {
        return (b[off] & 0xFF) | (b[off + 1] & 0xFF) << 8 | (b[off + 2] & 0xFF) << 16 | (b[off + 3] & 0xFF) << 24;
    }

    static long le64(byte[] b, int off) {
        return (le32(b, off) & 0xFFFF_FFFFL) | ((long) le32(b, off + 4)) << 32;
    }
}

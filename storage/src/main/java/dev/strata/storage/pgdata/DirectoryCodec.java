package dev.strata.storage.pgdata;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Shared checks for the directory value encodings (version byte, u32 count, fixed-size entries). */
final class DirectoryCodec {
    private DirectoryCodec() {
    }

    /**
     * Checks the header and the total length and returns a little-endian buffer positioned at the count.
     *
     * @throws IllegalArgumentException naming the value kind and the mismatch
     */
    static ByteBuffer open(byte[] bytes, int version, int entrySize, String what) {
        if (bytes.length < 5) {
            throw new IllegalArgumentException(what + " value of " + bytes.length + " bytes is shorter than its "
                    + "5-byte header");
        }
        if (bytes[0] != version) {
            throw new IllegalArgumentException(what + " value has version " + bytes[0] + ", expected " + version);
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        b.position(1);
        long count = Integer.toUnsignedLong(b.getInt(1));
        long expected = 5 + count * entrySize;
        if (expected != bytes.length) {
            throw new IllegalArgumentException(what + " value claims " + count + " entries (" + expected
                    + " bytes) but has " + bytes.length + " bytes");
        }
        return b;
    }
}

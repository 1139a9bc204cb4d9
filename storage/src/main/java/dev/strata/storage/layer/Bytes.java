package dev.strata.storage.layer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/** Big-endian field access on byte arrays (index entries, summary fields). */
final class Bytes {
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    private Bytes() {
    }

    static long getLong(byte[] b, int off) {
        return (long) LONG.get(b, off);
    }

    static void putLong(byte[] b, int off, long v) {
        LONG.set(b, off, v);
    }

    static int getInt(byte[] b, int off) {
        return (int) INT.get(b, off);
    }

    static void putInt(byte[] b, int off, int v) {
        INT.set(b, off, v);
    }

    /** True when the 18 bytes at b[off..] are the key whose first 16 bytes are k0, k1 and last two k2. */
    static boolean isKey(byte[] b, int off, long k0, long k1, int k2) {
        return getLong(b, off) == k0 && getLong(b, off + 8) == k1
                && (((b[off + 16] & 0xFF) << 8) | (b[off + 17] & 0xFF)) == k2;
    }

    /** True when b[off..off+key.length) equals key. */
    static boolean startsWith(byte[] b, int off, byte[] key) {
        return Arrays.equals(b, off, off + key.length, key, 0, key.length);
    }
}

package dev.strata.storage.redo.page;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Little-endian reads and writes at byte offsets of an array: PostgreSQL pages and WAL records come from x86-64
 * servers, so every multi-byte field is little-endian and unaligned access must work.
 */
public final class Bytes {
    private static final VarHandle I16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private Bytes() {
    }

    public static int u8(byte[] b, int off) {
        return b[off] & 0xFF;
    }

    public static int u16(byte[] b, int off) {
        return (short) I16.get(b, off) & 0xFFFF;
    }

    public static void putU16(byte[] b, int off, int v) {
        I16.set(b, off, (short) v);
    }

    public static int i32(byte[] b, int off) {
        return (int) I32.get(b, off);
    }

    public static void putI32(byte[] b, int off, int v) {
        I32.set(b, off, v);
    }

    public static long i64(byte[] b, int off) {
        return (long) I64.get(b, off);
    }

    public static void putI64(byte[] b, int off, long v) {
        I64.set(b, off, v);
    }

    /** {@code MAXALIGN} for x86-64 (8 bytes). */
    public static int maxAlign(int len) {
        return (len + 7) & ~7;
    }

    /** {@code SHORTALIGN}. */
    public static int shortAlign(int len) {
        return (len + 1) & ~1;
    }

    /** {@code INTALIGN}. */
    public static int intAlign(int len) {
        return (len + 3) & ~3;
    }
}

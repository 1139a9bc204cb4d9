package dev.strata.storage.wal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A reusable ASCII text buffer with the few printf conversions pg_waldump's lines need (padded decimals, upper-case
 * hex), so that formatting millions of records allocates nothing per record.
 */
public final class AsciiLine {
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
    private byte[] buf = new byte[512];
    private int len;

    public AsciiLine clear() {
        len = 0;
        return this;
    }

    public int length() {
        return len;
    }

    public AsciiLine append(char c) {
        ensure(1);
        buf[len++] = (byte) c;
        return this;
    }

    /** Appends bytes already encoded as ASCII (precomputed fragments). */
    public AsciiLine append(byte[] ascii) {
        ensure(ascii.length);
        System.arraycopy(ascii, 0, buf, len, ascii.length);
        len += ascii.length;
        return this;
    }

    /** ASCII bytes of a constant string, for {@link #append(byte[])}. */
    public static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Appends a string's characters (ASCII expected; others become '?'). */
    public AsciiLine append(String s) {
        ensure(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            buf[len++] = c < 128 ? (byte) c : (byte) '?';
        }
        return this;
    }

    /** {@code %-Ns}: the string, then spaces up to {@code width}. */
    public AsciiLine appendLeft(String s, int width) {
        append(s);
        return pad(width - s.length());
    }

    /** {@code %Nu} for an unsigned 32-bit value: right-aligned in {@code width}. */
    public AsciiLine appendUnsigned(int v, int width) {
        return appendUnsigned(Integer.toUnsignedLong(v), width);
    }

    /** {@code %Nu} / {@code %N} + {@code lu}: right-aligned decimal of a non-negative value. */
    public AsciiLine appendUnsigned(long v, int width) {
        int digits = digits(v);
        pad(width - digits);
        ensure(digits);
        int end = len + digits;
        long t = v;
        for (int i = end - 1; i >= len; i--) {
            buf[i] = (byte) ('0' + (t % 10));
            t /= 10;
        }
        len = end;
        return this;
    }

    private static int digits(long v) {
        int d = 1;
        long t = v;
        while (t >= 10_000) {
            t /= 10_000;
            d += 4;
        }
        while (t >= 10) {
            t /= 10;
            d++;
        }
        return d;
    }

    /** {@code %0NX} for an unsigned 32-bit value (upper-case hex, zero-padded to {@code width}). */
    public AsciiLine appendHex(int v, int width) {
        int digits = Math.max(1, (32 - Integer.numberOfLeadingZeros(v) + 3) / 4);
        for (int i = digits; i < width; i++) {
            append('0');
        }
        ensure(digits);
        for (int i = digits - 1; i >= 0; i--) {
            buf[len++] = HEX[(v >>> (i * 4)) & 0xF];
        }
        return this;
    }

    /** An LSN as pg_waldump prints it: {@code %X/%08X}. */
    public AsciiLine appendLsn(long lsn) {
        appendHex((int) (lsn >>> 32), 1);
        append('/');
        return appendHex((int) lsn, 8);
    }

    private AsciiLine pad(int n) {
        if (n > 0) {
            ensure(n);
            for (int i = 0; i < n; i++) {
                buf[len++] = ' ';
            }
        }
        return this;
    }

    private void ensure(int n) {
        if (len + n > buf.length) {
            buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
        }
    }

    public void writeTo(OutputStream out) throws IOException {
        out.write(buf, 0, len);
    }

    @Override
    public String toString() {
        return new String(buf, 0, len, StandardCharsets.US_ASCII);
    }
}

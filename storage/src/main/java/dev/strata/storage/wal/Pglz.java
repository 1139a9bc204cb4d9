package dev.strata.storage.wal;

/**
 * Decompressor for PostgreSQL's pglz format ({@code common/pg_lzcompress.c}) as used for WAL page images, where
 * the stream has no header and the raw size is known from the record.
 *
 * <p>Stream format: a control byte, then up to 8 items described by its bits, least significant first.
 * A 0 bit is a literal byte, copied as is. A 1 bit is a match tag of two bytes {@code b0 b1}:
 * length = {@code (b0 & 0x0F) + 3}, offset = {@code ((b0 & 0xF0) << 4) | b1} (1..4095 bytes back in the output);
 * a length of 18 is followed by one more byte added to it (so up to 273). A match may overlap the bytes it
 * produces, which repeats the pattern: it is copied front to back. Repeats until the input or the output ends.
 */
public final class Pglz {
    private Pglz() {
    }

    /**
     * Decompresses {@code src[srcOff, srcOff + srcLen)} into {@code dst[dstOff, dstOff + rawSize)}.
     *
     * @param checkComplete require that both input and output are consumed exactly (as WAL images do)
     * @return the number of bytes written, or -1 when the input is corrupt (a match reaching before the start of
     *         the output, offset 0, a tag cut off by the end of the input, or with {@code checkComplete} a size
     *         mismatch)
     */
    public static int decompress(byte[] src, int srcOff, int srcLen, byte[] dst, int dstOff, int rawSize,
                                 boolean checkComplete) {
        int sp = srcOff;
        int srcEnd = srcOff + srcLen;
        int dp = dstOff;
        int dstEnd = dstOff + rawSize;
        while (sp < srcEnd && dp < dstEnd) {
            int ctrl = src[sp++] & 0xFF;
            for (int bit = 0; bit < 8 && sp < srcEnd && dp < dstEnd; bit++, ctrl >>>= 1) {
                if ((ctrl & 1) == 0) {
                    dst[dp++] = src[sp++];
                    continue;
                }
                if (srcEnd - sp < 2) {
                    return -1;
                }
                int b0 = src[sp] & 0xFF;
                int len = (b0 & 0x0F) + 3;
                int off = ((b0 & 0xF0) << 4) | (src[sp + 1] & 0xFF);
                sp += 2;
                if (len == 18) {
                    if (sp >= srcEnd) {
                        return -1;
                    }
                    len += src[sp++] & 0xFF;
                }
                if (off == 0 || off > dp - dstOff) {
                    return -1;
                }
                len = Math.min(len, dstEnd - dp);
                copyMatch(dst, dp, off, len);
                dp += len;
            }
        }
        if (checkComplete && (dp != dstEnd || sp != srcEnd)) {
            return -1;
        }
        return dp - dstOff;
    }

    /** Copies {@code len} bytes from {@code off} back; overlapping copies repeat the last {@code off} bytes. */
    private static void copyMatch(byte[] dst, int dp, int off, int len) {
        if (off >= len) {
            System.arraycopy(dst, dp - off, dst, dp, len);
            return;
        }
        // each non-overlapping chunk doubles the repeated run, as pg_lzcompress.c does with memcpy
        int from = dp - off;
        int done = 0;
        int chunk = off;
        while (done < len) {
            int n = Math.min(chunk, len - done);
            System.arraycopy(dst, from, dst, dp + done, n);
            done += n;
            chunk = done + off;
        }
    }
}

package dev.strata.storage.wal;

import java.io.ByteArrayOutputStream;

/**
 * A small, slow pglz encoder for tests: greedy longest match within the last 4095 bytes, lengths 3..273. Its output
 * follows the stream format {@link Pglz} documents, including overlapping matches.
 */
final class PglzTestEncoder {
    private PglzTestEncoder() {
    }

    static byte[] compress(byte[] in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] group = new byte[1 + 8 * 3];
        int ctrl = 0;
        int bit = 0;
        int g = 1;
        int i = 0;
        while (i < in.length) {
            int bestLen = 0;
            int bestOff = 0;
            for (int off = 1; off <= Math.min(4095, i); off++) {
                int len = 0;
                while (len < 273 && i + len < in.length && in[i + len] == in[i + len - off]) {
                    len++;
                }
                if (len > bestLen) {
                    bestLen = len;
                    bestOff = off;
                }
            }
            if (bestLen >= 3) {
                ctrl |= 1 << bit;
                int l = Math.min(bestLen, 18) - 3;
                group[g++] = (byte) (((bestOff >> 4) & 0xF0) | l);
                group[g++] = (byte) bestOff;
                if (bestLen >= 18) {
                    group[g++] = (byte) (bestLen - 18);
                }
                i += bestLen;
            } else {
                group[g++] = in[i++];
            }
            if (++bit == 8) {
                group[0] = (byte) ctrl;
                out.write(group, 0, g);
                ctrl = 0;
                bit = 0;
                g = 1;
            }
        }
        if (bit > 0) {
            group[0] = (byte) ctrl;
            out.write(group, 0, g);
        }
        return out.toByteArray();
    }
}

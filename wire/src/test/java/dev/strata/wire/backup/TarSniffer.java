package dev.strata.wire.backup;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * Reads a tar stream as it is written, without keeping it: each entry's name, type, size, CRC-32 of its content
 * and, for small entries, the content itself. Checks the header checksum and the end-of-archive blocks.
 */
final class TarSniffer extends OutputStream {
    record Entry(String name, char type, long size, long crc, byte[] content) {
    }

    private static final int KEEP = 1 << 20;

    final List<Entry> entries = new ArrayList<>();
    private final byte[] header = new byte[512];
    private int headerFill;
    private long contentLeft;
    private long padLeft;
    private String name;
    private char type;
    private long size;
    private CRC32 crc;
    private java.io.ByteArrayOutputStream kept;
    private int zeroBlocks;
    long total;

    @Override
    public void write(int b) {
        write(new byte[]{(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
        total += len;
        while (len > 0) {
            if (contentLeft > 0) {
                int n = (int) Math.min(len, contentLeft);
                crc.update(b, off, n);
                if (kept != null) {
                    kept.write(b, off, n);
                }
                contentLeft -= n;
                off += n;
                len -= n;
                if (contentLeft == 0) {
                    finishEntry();
                }
            } else if (padLeft > 0) {
                int n = (int) Math.min(len, padLeft);
                for (int i = 0; i < n; i++) {
                    if (b[off + i] != 0) {
                        throw new AssertionError("non-zero padding after " + name);
                    }
                }
                padLeft -= n;
                off += n;
                len -= n;
            } else {
                int n = Math.min(len, 512 - headerFill);
                System.arraycopy(b, off, header, headerFill, n);
                headerFill += n;
                off += n;
                len -= n;
                if (headerFill == 512) {
                    headerFill = 0;
                    parseHeader();
                }
            }
        }
    }

    private void parseHeader() {
        boolean zero = true;
        for (byte x : header) {
            zero &= x == 0;
        }
        if (zero) {
            zeroBlocks++;
            return;
        }
        if (zeroBlocks > 0) {
            throw new AssertionError("entry after an end-of-archive block");
        }
        long sum = 0;
        for (int i = 0; i < 512; i++) {
            sum += (i >= 148 && i < 156) ? ' ' : header[i] & 0xFF;
        }
        long stored = Long.parseLong(new String(header, 148, 6, StandardCharsets.US_ASCII), 8);
        if (sum != stored) {
            throw new AssertionError("bad header checksum");
        }
        int end = 0;
        while (end < 100 && header[end] != 0) {
            end++;
        }
        name = new String(header, 0, end, StandardCharsets.UTF_8);
        type = (char) header[156];
        size = Long.parseLong(new String(header, 124, 11, StandardCharsets.US_ASCII), 8);
        crc = new CRC32();
        kept = size <= KEEP ? new java.io.ByteArrayOutputStream((int) size) : null;
        contentLeft = size;
        padLeft = (512 - size % 512) % 512;
        if (size == 0) {
            finishEntry();
        }
    }

    private void finishEntry() {
        entries.add(new Entry(name, type, size, crc.getValue(), kept == null ? null : kept.toByteArray()));
    }

    /** Whether the stream ended cleanly: two zero blocks and nothing half-written. */
    boolean terminated() {
        return zeroBlocks == 2 && contentLeft == 0 && padLeft == 0 && headerFill == 0;
    }

    List<String> names() {
        return entries.stream().map(Entry::name).toList();
    }

    Entry get(String n) {
        return entries.stream().filter(e -> e.name().equals(n)).findFirst()
                .orElseThrow(() -> new AssertionError("no entry " + n + " in " + names()));
    }
}

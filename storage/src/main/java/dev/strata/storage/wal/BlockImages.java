package dev.strata.storage.wal;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdException;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * Rebuilds the 8192-byte page from a block's full-page image ({@code RestoreBlockImage} in PostgreSQL 15).
 *
 * <p>The stored image is the page without its hole {@code [hole_offset, hole_offset + hole_length)}, optionally
 * compressed as a whole: pglz without header ({@link Pglz}), a raw LZ4 block (no frame) or a zstd frame. It must
 * decompress to exactly {@code 8192 - hole_length} bytes; the hole comes back as zeros.
 */
public final class BlockImages {
    public static final int BLCKSZ = RecordDecoder.BLCKSZ;
    private static final LZ4SafeDecompressor LZ4 = LZ4Factory.fastestInstance().safeDecompressor();

    private BlockImages() {
    }

    /** A new page restored from {@code blk}'s image. */
    public static byte[] restore(DecodedRecord rec, BlockRef blk) {
        byte[] page = new byte[BLCKSZ];
        restoreInto(rec, blk, page);
        return page;
    }

    /**
     * Restores {@code blk}'s image into {@code page} (8192 bytes, overwritten entirely).
     *
     * @throws WalFormatException naming the record's LSN and block when the block has no image, the hole does not
     *                            fit in the page or the image does not decompress to exactly the expected size
     */
    public static void restoreInto(DecodedRecord rec, BlockRef blk, byte[] page) {
        long lsn = rec.lsn();
        if (blk == null || !blk.hasImage() || blk.imageOffset() < 0) {
            throw new WalFormatException(lsn, "block " + (blk == null ? "?" : blk.id()) + " has no image to restore");
        }
        if (page.length != BLCKSZ) {
            throw new IllegalArgumentException("page buffer must be " + BLCKSZ + " bytes, not " + page.length);
        }
        int holeOffset = blk.holeOffset();
        int holeLength = blk.holeLength();
        if (holeLength < 0 || holeOffset + holeLength > BLCKSZ) {
            throw new WalFormatException(lsn, "image of block " + blk.id() + " has a hole [" + holeOffset + ", "
                    + (holeOffset + holeLength) + ") outside the " + BLCKSZ + "-byte page");
        }
        byte[] raw = rec.raw();
        int rawSize = BLCKSZ - holeLength;
        byte[] src = raw;
        int srcOff = blk.imageOffset();
        if (blk.imageCompressed()) {
            src = new byte[rawSize];
            srcOff = 0;
            decompress(rec, blk, src, rawSize);
        } else if (blk.imageLength() != rawSize) {
            throw new WalFormatException(lsn, "uncompressed image of block " + blk.id() + " holds "
                    + blk.imageLength() + " bytes, expected " + rawSize);
        }
        System.arraycopy(src, srcOff, page, 0, holeOffset);
        java.util.Arrays.fill(page, holeOffset, holeOffset + holeLength, (byte) 0);
        System.arraycopy(src, srcOff + holeOffset, page, holeOffset + holeLength, BLCKSZ - holeOffset - holeLength);
    }

    private static void decompress(DecodedRecord rec, BlockRef blk, byte[] out, int rawSize) {
        byte[] raw = rec.raw();
        int info = blk.bimgInfo();
        int n;
        String method;
        if ((info & BlockRef.BKPIMAGE_COMPRESS_PGLZ) != 0) {
            method = "pglz";
            n = Pglz.decompress(raw, blk.imageOffset(), blk.imageLength(), out, 0, rawSize, true);
        } else if ((info & BlockRef.BKPIMAGE_COMPRESS_LZ4) != 0) {
            method = "lz4";
            n = lz4(raw, blk.imageOffset(), blk.imageLength(), out, rawSize);
        } else {
            method = "zstd";
            n = zstd(raw, blk.imageOffset(), blk.imageLength(), out, rawSize);
        }
        if (n != rawSize) {
            throw new WalFormatException(rec.lsn(), "could not decompress the " + method + " image of block "
                    + blk.id() + " (" + blk.imageLength() + " bytes): " + (n < 0 ? "corrupt data" : "got " + n
                    + " bytes, expected " + rawSize));
        }
    }

    private static int zstd(byte[] src, int off, int len, byte[] out, int rawSize) {
        try {
            long r = Zstd.decompressByteArray(out, 0, rawSize, src, off, len);
            return Zstd.isError(r) ? -1 : (int) r;
        } catch (ZstdException e) {
            return -1;
        }
    }

    private static int lz4(byte[] src, int off, int len, byte[] out, int rawSize) {
        try {
            return LZ4.decompress(src, off, len, out, 0, rawSize);
        } catch (LZ4Exception e) {
            return -1;
        }
    }
}

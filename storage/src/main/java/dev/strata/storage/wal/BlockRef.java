package dev.strata.storage.wal;

import dev.strata.storage.pg.RelTag;

/**
 * One block reference of a decoded WAL record ({@code DecodedBkpBlock} in PostgreSQL). Offsets point into the
 * record's {@link DecodedRecord#raw()} bytes.
 *
 * @param id          block id, 0..32
 * @param rel         relation and fork
 * @param blkno       block number (unsigned)
 * @param forkFlags   the raw fork_flags byte (fork in the low nibble; HAS_IMAGE 0x10, HAS_DATA 0x20,
 *                    WILL_INIT 0x40, SAME_REL 0x80)
 * @param imageOffset offset of the (possibly compressed) image bytes, or -1 without an image
 * @param imageLength stored image length in bytes (the {@code length} field of the image header)
 * @param holeOffset  hole offset within the page (0 when there is no hole)
 * @param holeLength  hole length (0 when there is no hole)
 * @param bimgInfo    the bimg_info byte (PG 15 values: HAS_HOLE 0x01, APPLY 0x02, PGLZ 0x04, LZ4 0x08, ZSTD 0x10)
 * @param dataOffset  offset of the block's data, or -1 without data
 * @param dataLength  length of the block's data (0 without data)
 */
public record BlockRef(int id, RelTag rel, int blkno, int forkFlags, int imageOffset, int imageLength,
                       int holeOffset, int holeLength, int bimgInfo, int dataOffset, int dataLength) {
    public static final int BKPBLOCK_HAS_IMAGE = 0x10;
    public static final int BKPBLOCK_HAS_DATA = 0x20;
    public static final int BKPBLOCK_WILL_INIT = 0x40;
    public static final int BKPBLOCK_SAME_REL = 0x80;

    public static final int BKPIMAGE_HAS_HOLE = 0x01;
    public static final int BKPIMAGE_APPLY = 0x02;
    public static final int BKPIMAGE_COMPRESS_PGLZ = 0x04;
    public static final int BKPIMAGE_COMPRESS_LZ4 = 0x08;
    public static final int BKPIMAGE_COMPRESS_ZSTD = 0x10;

    public boolean hasImage() {
        return (forkFlags & BKPBLOCK_HAS_IMAGE) != 0;
    }

    /** An image that redo restores (as opposed to one carried only for consistency checking). */
    public boolean applyImage() {
        return hasImage() && (bimgInfo & BKPIMAGE_APPLY) != 0;
    }

    public boolean hasData() {
        return (forkFlags & BKPBLOCK_HAS_DATA) != 0;
    }

    public boolean willInit() {
        return (forkFlags & BKPBLOCK_WILL_INIT) != 0;
    }

    public boolean imageCompressed() {
        return (bimgInfo & (BKPIMAGE_COMPRESS_PGLZ | BKPIMAGE_COMPRESS_LZ4 | BKPIMAGE_COMPRESS_ZSTD)) != 0;
    }
}

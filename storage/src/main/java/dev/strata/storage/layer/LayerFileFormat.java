package dev.strata.storage.layer;

import dev.strata.storage.CorruptionException;
import dev.strata.storage.key.Key;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The block structure shared by delta and image layer files ({@link DeltaLayer}, {@link ImageLayer} define what
 * their index entries and values hold).
 *
 * <h2>Blocks</h2>
 * A layer file is a whole number of 8192-byte blocks. Each block is 8188 payload bytes followed by a big-endian
 * u32 CRC32C computed over the block number (u32 big-endian) and then the 8188 payload bytes. Mixing in the block
 * number makes a block that is intact but sits at the wrong place fail as well. Every byte of the file is covered
 * by the CRC of its block, so any flipped bit fails a check; every block is checked when it is read from disk,
 * before anything in it is used.
 *
 * <h2>Regions</h2>
 * <pre>
 * block 0                       summary
 * blocks 1 .. indexStart-1      values: one byte stream laid across the payloads of consecutive blocks; a value
 *                               at stream offset o starts in block 1 + o / 8188 at payload offset o % 8188 and
 *                               may continue into the following blocks; the last block is zero-padded
 * blocks levels[0].start ..     index level 0 (leaves), laid out as the format version says (below)
 * blocks levels[k].start ..     index level k &gt; 0: the first fenceWidth bytes of the first entry of every block
 *                               of level k-1, packed the same way with floor(8188 / fenceWidth) per block; the
 *                               top level (the root) fits in one block (version 1) or in at most
 *                               {@link #ROOT_MAX_BLOCKS} blocks (version 2)
 * </pre>
 * A lookup binary-searches the root (read once when the file is opened and kept in memory), descends one block per
 * level and ends on a leaf entry: it reads {@code levels - 1} blocks, never scans.
 *
 * <h2>Leaves, version 1 (delta and image files): fixed entries</h2>
 * Fixed-size entries, floor(8188 / entrySize) per block, sorted ascending by their first fenceWidth bytes
 * (unsigned), no entry spans a block, the rest of each block zero-padded; entry i lives in block
 * levels[0].start + i / perBlock at payload offset (i % perBlock) * entrySize. levels[0]'s count is the number of
 * entries (entryCount).
 *
 * <h2>Leaves, version 2 (delta files only): clustered leaves</h2>
 * Each leaf block holds a variable number of entries, a directory of the distinct keys they belong to and, after
 * the entries, the values of those entries that are kept inline, so that one block read gives a key's versions and
 * their values together and finding the key touches only the directory:
 * <pre>
 * offset           size     field (big-endian)
 * 0                2        n: entries in this block, at least 1
 * 2                2        bits 0..14: k, distinct keys in this block, 1 .. n; bit 15: set when the first key
 *                           has versions at the end of the previous leaf block too
 * 4                18 * k   the keys, strictly ascending
 * 4 + 18k          2 * k    per key, the index (0 .. n-1) of its first entry; the first is 0, strictly ascending;
 *                           key j's entries run up to the next key's first entry (the last key's, up to n)
 * 4 + 20k          es * n   the entries (entrySize es), key after key, each key's by ascending LSN
 * 4 + 20k + es*n   ...      inline values, each at the payload offset its entry gives; the rest zero-padded
 * </pre>
 * Entries ascend by (key, LSN) across all leaf blocks; a key's entries may continue from one leaf block into the next
 * (it is then the last key of the first and the first key of the second, which says so). The fence of a leaf block is
 * its first key followed by its first entry's LSN (fenceWidth bytes). levels[0]'s count is the number of leaf blocks
 * (at least 1 when entryCount &gt; 0); level 1 has one fence per leaf block; with a single level, there is one leaf
 * block and it is the root. What an entry holds is the owning layer's definition ({@link DeltaLayer}).
 *
 * <h2>Summary (block 0 payload, big-endian, zero-padded)</h2>
 * <pre>
 * offset size field
 * 0      4    magic: 0x5354444C ("STDL") delta layer, 0x5354494D ("STIM") image layer
 * 4      2    format version: 1 (image files; delta files with fixed leaves) or 2 (delta files with clustered
 *             leaves); files of any other version are refused with an error naming the file and the version
 * 6      2    entrySize: bytes per leaf entry (38 delta version 1, 20 delta version 2, 30 image)
 * 8      2    fenceWidth: bytes that order entries and fences (26 delta: key + LSN, 18 image: key); in version
 *             1 the first fenceWidth bytes of each entry
 * 10     18   key range start (inclusive), a {@link Key} in its 18-byte form
 * 28     18   key range end (exclusive)
 * 46     8    LSN range start (inclusive)
 * 54     8    LSN range end (exclusive; an image layer at L stores L + 1)
 * 62     8    entryCount: number of leaf entries (versions in a delta file, keys in an image file)
 * 70     8    valuesLength: bytes in the values stream
 * 78     4    totalBlocks: the file is totalBlocks * 8192 bytes long
 * 82     1    levels: number of index levels, 1..8
 * 83     12 * levels: per level, from the leaves up: u32 first block, u64 number of entries (level 0 of a
 *             version 2 file: number of leaf blocks)
 * </pre>
 */
public final class LayerFileFormat {
    public static final int BLOCK_SIZE = 8192;
    public static final int PAYLOAD = BLOCK_SIZE - 4;
    public static final int DELTA_MAGIC = 0x5354444C;
    public static final int IMAGE_MAGIC = 0x5354494D;
    /** Fixed-size leaf entries (image files, and delta files written before clustered leaves). */
    public static final int VERSION = 1;
    /** Clustered leaves: variable entries per leaf block with small values inline (delta files only). */
    public static final int CLUSTERED_VERSION = 2;
    /** The most blocks the root of a version 2 file may span (it is kept in memory while the file is open). */
    public static final int ROOT_MAX_BLOCKS = 4;
    public static final int MAX_LEVELS = 8;

    private LayerFileFormat() {
    }

    /** CRC32C of a block's payload, seeded with its block number. */
    public static int blockCrc(int blockNo, byte[] block) {
        return blockCrc(blockNo, block, 0);
    }

    /** CRC32C of the payload of the block starting at {@code off} in {@code buf}, seeded with its block number. */
    public static int blockCrc(int blockNo, byte[] buf, int off) {
        CRC32C crc = new CRC32C();
        crc.update(blockNo >>> 24);
        crc.update(blockNo >>> 16);
        crc.update(blockNo >>> 8);
        crc.update(blockNo);
        crc.update(buf, off, PAYLOAD);
        return (int) crc.getValue();
    }

    /** Writes the CRC into the last 4 bytes of the block. */
    public static void seal(int blockNo, byte[] block) {
        seal(blockNo, block, 0);
    }

    /** Writes the CRC into the last 4 bytes of the block starting at {@code off} in {@code buf}. */
    public static void seal(int blockNo, byte[] buf, int off) {
        int crc = blockCrc(blockNo, buf, off);
        buf[off + PAYLOAD] = (byte) (crc >>> 24);
        buf[off + PAYLOAD + 1] = (byte) (crc >>> 16);
        buf[off + PAYLOAD + 2] = (byte) (crc >>> 8);
        buf[off + PAYLOAD + 3] = (byte) crc;
    }

    /** Checks a block read from {@code file}. */
    public static void verify(String file, int blockNo, byte[] block) {
        int stored = ((block[PAYLOAD] & 0xFF) << 24) | ((block[PAYLOAD + 1] & 0xFF) << 16)
                | ((block[PAYLOAD + 2] & 0xFF) << 8) | (block[PAYLOAD + 3] & 0xFF);
        int computed = blockCrc(blockNo, block);
        if (stored != computed) {
            throw new CorruptionException("layer file " + file + ": block " + blockNo + " (file offset "
                    + (long) blockNo * BLOCK_SIZE + ") fails its CRC32C check (stored "
                    + Integer.toHexString(stored) + ", computed " + Integer.toHexString(computed) + ")");
        }
    }

    /** One index level: where it starts and how many entries it has. */
    public record Level(int startBlock, long entries) {
    }

    /** The decoded summary block. */
    public record Summary(int magic, int version, int entrySize, int fenceWidth, Key keyStart, Key keyEnd,
                          long lsnStart, long lsnEnd, long entryCount, long valuesLength, int totalBlocks,
                          Level[] levels) {

        public byte[] encode() {
            byte[] block = new byte[BLOCK_SIZE];
            ByteBuffer b = ByteBuffer.wrap(block);
            b.putInt(magic).putShort((short) version).putShort((short) entrySize).putShort((short) fenceWidth);
            keyStart.writeTo(b);
            keyEnd.writeTo(b);
            b.putLong(lsnStart).putLong(lsnEnd).putLong(entryCount).putLong(valuesLength).putInt(totalBlocks);
            b.put((byte) levels.length);
            for (Level l : levels) {
                b.putInt(l.startBlock()).putLong(l.entries());
            }
            seal(0, block);
            return block;
        }

        /** Decodes and sanity-checks a verified block 0 of {@code file}, which is {@code fileSize} bytes long. */
        public static Summary decode(String file, byte[] block, long fileSize) {
            ByteBuffer b = ByteBuffer.wrap(block, 0, PAYLOAD);
            int magic = b.getInt();
            if (magic != DELTA_MAGIC && magic != IMAGE_MAGIC) {
                throw bad(file, 0, "magic " + Integer.toHexString(magic) + " is not a Strata layer file's");
            }
            int version = b.getShort() & 0xFFFF;
            if (version != VERSION && !(version == CLUSTERED_VERSION && magic == DELTA_MAGIC)) {
                throw bad(file, 4, "format version " + version + " is not supported for a "
                        + (magic == DELTA_MAGIC ? "delta" : "image") + " layer (this build reads versions " + VERSION
                        + (magic == DELTA_MAGIC ? " and " + CLUSTERED_VERSION : "") + ")");
            }
            int entrySize = b.getShort() & 0xFFFF;
            int fenceWidth = b.getShort() & 0xFFFF;
            Key keyStart = Key.readFrom(b);
            Key keyEnd = Key.readFrom(b);
            long lsnStart = b.getLong();
            long lsnEnd = b.getLong();
            long entryCount = b.getLong();
            long valuesLength = b.getLong();
            int totalBlocks = b.getInt();
            int n = b.get() & 0xFF;
            if (n < 1 || n > MAX_LEVELS || (version == VERSION && entrySize < fenceWidth) || fenceWidth < 1
                    || entrySize < 1 || entrySize > PAYLOAD) {
                throw bad(file, 6, "index shape (entry size " + entrySize + ", fence width " + fenceWidth
                        + ", levels " + n + ") is impossible");
            }
            Level[] levels = new Level[n];
            for (int i = 0; i < n; i++) {
                levels[i] = new Level(b.getInt(), b.getLong());
            }
            Summary s = new Summary(magic, version, entrySize, fenceWidth, keyStart, keyEnd, lsnStart, lsnEnd,
                    entryCount, valuesLength, totalBlocks, levels);
            s.check(file, fileSize);
            return s;
        }

        private void check(String file, long fileSize) {
            if ((long) totalBlocks * BLOCK_SIZE != fileSize) {
                throw bad(file, 78, "summary says " + totalBlocks + " blocks but the file has " + fileSize
                        + " bytes");
            }
            if (keyStart.compareTo(keyEnd) > 0 || lsnStart >= lsnEnd) {
                throw bad(file, 10, "key range " + keyStart + "-" + keyEnd + " or LSN range " + lsnStart + "-"
                        + lsnEnd + " is empty or reversed");
            }
            if (version == CLUSTERED_VERSION) {
                checkClustered(file);
                return;
            }
            if (levels[0].entries() != entryCount || 1 + blocksFor(valuesLength, PAYLOAD) > levels[0].startBlock()) {
                throw bad(file, 62, "entry count or values length disagrees with the index");
            }
            for (int i = 0; i < levels.length; i++) {
                long perBlock = PAYLOAD / (i == 0 ? entrySize : fenceWidth);
                long blocks = blocksFor(levels[i].entries(), perBlock);
                if (levels[i].startBlock() < 1 || levels[i].startBlock() + blocks > totalBlocks) {
                    throw bad(file, 83 + 12 * i, "index level " + i + " lies outside the file");
                }
                if (i > 0 && levels[i].entries() != blocksFor(levels[i - 1].entries(), PAYLOAD
                        / (i == 1 ? entrySize : fenceWidth))) {
                    throw bad(file, 83 + 12 * i, "index level " + i + " does not match the level below");
                }
            }
            if (levels[levels.length - 1].entries() > PAYLOAD / (levels.length == 1 ? entrySize : fenceWidth)) {
                throw bad(file, 83, "the index root does not fit in one block");
            }
        }

        /** The shape checks of a version 2 file: level 0 counts leaf blocks, one fence per leaf block above. */
        private void checkClustered(String file) {
            long leafBlocks = levels[0].entries();
            if ((entryCount == 0) != (leafBlocks == 0) || leafBlocks > entryCount
                    || 1 + blocksFor(valuesLength, PAYLOAD) > levels[0].startBlock()) {
                throw bad(file, 62, "entry count, leaf block count or values length disagrees with the index");
            }
            long perFence = PAYLOAD / fenceWidth;
            for (int i = 0; i < levels.length; i++) {
                long blocks = i == 0 ? leafBlocks : blocksFor(levels[i].entries(), perFence);
                if (levels[i].startBlock() < 1 || levels[i].startBlock() + blocks > totalBlocks) {
                    throw bad(file, 83 + 12 * i, "index level " + i + " lies outside the file");
                }
                long below = i == 0 ? 0 : i == 1 ? leafBlocks : blocksFor(levels[i - 1].entries(), perFence);
                if (i > 0 && levels[i].entries() != below) {
                    throw bad(file, 83 + 12 * i, "index level " + i + " does not match the level below");
                }
            }
            long top = levels[levels.length - 1].entries();
            if (levels.length == 1 ? top > 1 : top > ROOT_MAX_BLOCKS * perFence) {
                throw bad(file, 83, "the index root does not fit in " + (levels.length == 1 ? 1 : ROOT_MAX_BLOCKS)
                        + " block(s)");
            }
        }
    }

    static long blocksFor(long items, long perBlock) {
        return (items + perBlock - 1) / perBlock;
    }

    static CorruptionException bad(String file, long offset, String what) {
        return new CorruptionException("layer file " + file + ": at offset " + offset + ": " + what);
    }
}

package dev.strata.storage.layer;

import dev.strata.storage.StorageException;
import dev.strata.storage.cache.PageCache;
import dev.strata.storage.io.FileHandles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

import static dev.strata.storage.layer.LayerFileFormat.BLOCK_SIZE;
import static dev.strata.storage.layer.LayerFileFormat.PAYLOAD;

/**
 * Reads a file in {@link LayerFileFormat} through positional reads and the shared {@link PageCache}: checks every
 * block's CRC as it comes from disk (a cached block was checked when it was loaded and is not checked again),
 * searches the index and copies values out of the values stream.
 *
 * <p>A leaf entry is addressed by a position: in a version 1 file its index among all entries; in a version 2
 * (clustered) file its leaf block's index shifted left by 16, or'ed with its slot in that block.
 */
final class LayerFileReader implements AutoCloseable {
    private final Path path;
    private final String file;
    private final long fileId = PageCache.newFileId();
    private final PageCache cache;
    /** {@link #load}, bound once: a method reference made per lookup would be an allocation per block read. */
    private final PageCache.Loader loader = this::load;
    private final FileHandles handles;
    private final LayerFileFormat.Summary summary;
    private final int perLeaf;
    private final int perFence;
    /** Version 2: leaf blocks hold a variable number of entries and inline values. */
    private final boolean clustered;
    /** Version 2: the number of leaf blocks. */
    private final long leafBlocks;
    private volatile FileChannel ch;
    private volatile boolean closed;
    /** The index root, read at open and kept: every lookup starts there. */
    private final byte[] root;
    private final int rootCount;
    /** The root's search structure when the root holds fences or fixed entries (not a clustered leaf). */
    private final RootIndex rootIndex;
    private final int leafStart;

    LayerFileReader(Path path, LayerFiles files, int expectedMagic) {
        this.path = path;
        this.file = path.toString();
        this.cache = files.cache();
        this.handles = files.handles();
        try {
            this.ch = handles.open(this, path);
            long size = ch.size();
            if (size < BLOCK_SIZE) {
                throw LayerFileFormat.bad(file, 0, "file of " + size + " bytes is shorter than its summary block");
            }
            byte[] b0 = load(0);
            this.summary = LayerFileFormat.Summary.decode(file, b0, size);
        } catch (IOException e) {
            closeQuietly();
            throw new StorageException("cannot open layer file " + path + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly();
            throw e;
        }
        if (summary.magic() != expectedMagic) {
            closeQuietly();
            throw LayerFileFormat.bad(file, 0, "magic " + Integer.toHexString(summary.magic()) + " is not "
                    + Integer.toHexString(expectedMagic) + " as the file name says");
        }
        this.perLeaf = PAYLOAD / summary.entrySize();
        this.perFence = PAYLOAD / summary.fenceWidth();
        this.clustered = summary.version() == LayerFileFormat.CLUSTERED_VERSION;
        this.leafBlocks = clustered ? summary.levels()[0].entries() : 0;
        LayerFileFormat.Level top = summary.levels()[summary.levels().length - 1];
        this.leafStart = summary.levels()[0].startBlock();
        try {
            this.root = readRoot();
            this.rootCount = root == null ? 0 : clustered && summary.levels().length == 1
                    ? ClusteredLeaf.check(root, file, top.startBlock()) : (int) top.entries();
            this.rootIndex = root == null || clustered && summary.levels().length == 1 ? null
                    : new RootIndex(root, rootCount, summary.levels().length == 1 ? summary.entrySize()
                            : summary.fenceWidth(), summary.fenceWidth());
        } catch (RuntimeException e) {
            closeQuietly();
            throw e;
        }
    }

    /**
     * The top index level as one array of entries: the root block itself, or (version 2) the fences of up to
     * {@link LayerFileFormat#ROOT_MAX_BLOCKS} blocks packed together. Null when the file has no entries.
     */
    private byte[] readRoot() {
        LayerFileFormat.Level[] levels = summary.levels();
        LayerFileFormat.Level top = levels[levels.length - 1];
        if (top.entries() == 0) {
            return null;
        }
        if (levels.length == 1 || !clustered) {
            return load(top.startBlock());
        }
        int fw = summary.fenceWidth();
        byte[] r = new byte[(int) top.entries() * fw];
        for (int k = 0; k * perFence < top.entries(); k++) {
            int n = (int) Math.min(perFence, top.entries() - (long) k * perFence);
            System.arraycopy(load(top.startBlock() + k), 0, r, k * perFence * fw, n * fw);
        }
        return r;
    }

    LayerFileFormat.Summary summary() {
        return summary;
    }

    String file() {
        return file;
    }

    Path path() {
        return path;
    }

    long sizeBytes() {
        return (long) summary.totalBlocks() * BLOCK_SIZE;
    }

    /** A checked block, from the cache or from disk. */
    byte[] block(int blockNo) {
        return cache.get(fileId, blockNo, loader);
    }

    /**
     * Remembers the last block a read asked for, so that walking adjacent entries or values of one key costs one
     * cache lookup per block rather than one per entry. A read keeps one and points it at each layer file it visits
     * ({@link #of}), so that visiting a layer allocates nothing.
     */
    static final class Memo implements java.util.function.IntFunction<byte[]> {
        private LayerFileReader reader;
        private int no = -1;
        private byte[] b;

        /** Starts remembering blocks of {@code r}, forgetting those of the previous file. */
        Memo of(LayerFileReader r) {
            reader = r;
            no = -1;
            b = null;
            return this;
        }

        @Override
        public byte[] apply(int blockNo) {
            if (blockNo != no) {
                b = reader.block(blockNo);
                no = blockNo;
            }
            return b;
        }
    }

    /**
     * The last few blocks a scan in key order asked for, read from disk (and checked) without going through the page
     * cache: image creation reads every key of a layer once, and those blocks would only evict hot ones. Consecutive
     * keys share index and value blocks, so each block is read about once.
     */
    final class ScanBlocks implements java.util.function.IntFunction<byte[]> {
        // An index block, a leaf and the values of a key or two: with fewer slots, first in first out evicted the
        // index block on every key of a run of keys whose values span blocks.
        private static final int SLOTS = 8;
        private final int[] nos = {-1, -1, -1, -1, -1, -1, -1, -1};
        private final byte[][] blocks = new byte[SLOTS][];
        private int next;

        @Override
        public byte[] apply(int blockNo) {
            for (int k = 0; k < SLOTS; k++) {
                if (nos[k] == blockNo) {
                    return blocks[k];
                }
            }
            byte[] b = load(blockNo);
            nos[next] = blockNo;
            blocks[next] = b;
            next = (next + 1) % SLOTS;
            return b;
        }
    }

    /** A checked block for a one-pass scan: read from disk, not added to the cache. */
    byte[] blockForScan(int blockNo) {
        return load(blockNo);
    }

    /**
     * The index of the last leaf entry whose first fenceWidth bytes are at or below {@code target}, or -1 when every
     * entry is above it.
     */
    long search(byte[] target) {
        return search(target, this::block);
    }

    /**
     * Like {@link #search(byte[])}, taking the index blocks below the root from {@code blocks}: with a {@link Memo}
     * or {@link ScanBlocks} the leaf block it ended on stays there, so the caller reads the entry without looking
     * the block up again.
     */
    long search(byte[] target, java.util.function.IntFunction<byte[]> blocks) {
        if (root == null) {
            return -1;
        }
        LayerFileFormat.Level[] levels = summary.levels();
        int top = levels.length - 1;
        int fw = summary.fenceWidth();
        int es = summary.entrySize();
        if (top == 0 && clustered) {
            int f = ClusteredLeaf.search(root, target);
            return f < 0 ? -1 : f;
        }
        int found = rootIndex.lastAtOrBelow(target);
        if (found < 0 || top == 0) {
            return found;
        }
        long blockIdx = found;
        for (int lvl = top - 1; lvl >= 0; lvl--) {
            int blockNo = levels[lvl].startBlock() + (int) blockIdx;
            if (lvl == 0 && clustered) {
                if (blockIdx >= leafBlocks) {
                    throw LayerFileFormat.bad(file, (long) blockNo * BLOCK_SIZE, "index points past the leaves");
                }
                byte[] b = blocks.apply(blockNo);
                ClusteredLeaf.check(b, file, blockNo);
                int f = ClusteredLeaf.search(b, target);
                if (f < 0) {
                    throw outOfOrder(blockNo, lvl);
                }
                return blockIdx << 16 | f;
            }
            int per = lvl == 0 ? perLeaf : perFence;
            long first = blockIdx * per;
            int n = (int) Math.min(per, levels[lvl].entries() - first);
            if (n <= 0) {
                throw LayerFileFormat.bad(file, (long) blockNo * BLOCK_SIZE, "index points past level " + lvl);
            }
            int f = lastAtOrBelow(blocks.apply(blockNo), 0, n, lvl == 0 ? es : fw, target, fw);
            if (f < 0) {
                throw outOfOrder(blockNo, lvl);
            }
            blockIdx = first + f;
        }
        return blockIdx;
    }

    private RuntimeException outOfOrder(int blockNo, int lvl) {
        return LayerFileFormat.bad(file, (long) blockNo * BLOCK_SIZE, "index level " + lvl
                + " is out of order with the level above");
    }

    /** Binary search: the last of {@code n} entries of {@code width} bytes from {@code base} at or below target. */
    private static int lastAtOrBelow(byte[] b, int base, int n, int width, byte[] target, int fw) {
        int lo = 0;
        int hi = n - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (compareFence(b, base + mid * width, target, fw) <= 0) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    /** The entry count of clustered leaf block {@code b} (block number {@code blockNo}), checked. */
    int leafCount(byte[] b, int blockNo) {
        return ClusteredLeaf.check(b, file, blockNo);
    }

    boolean clustered() {
        return clustered;
    }

    /** The position of the first leaf entry, or -1 when there is none. */
    long firstPos() {
        return summary.entryCount() == 0 ? -1 : 0;
    }

    /** The position after {@code pos}, or -1 at the end; leaf blocks come from {@code blocks}. */
    long nextPos(long pos, java.util.function.IntFunction<byte[]> blocks) {
        if (!clustered) {
            return pos + 1 < summary.entryCount() ? pos + 1 : -1;
        }
        int no = leafBlockNo(pos);
        if ((pos & 0xFFFF) + 1 < leafCount(blocks.apply(no), no)) {
            return pos + 1;
        }
        long next = (pos >>> 16) + 1;
        return next < leafBlocks ? next << 16 : -1;
    }

    /** The position before {@code pos}, or -1 at the start; leaf blocks come from {@code blocks}. */
    long prevPos(long pos, java.util.function.IntFunction<byte[]> blocks) {
        if (!clustered) {
            return pos - 1;
        }
        if ((pos & 0xFFFF) > 0) {
            return pos - 1;
        }
        long prev = (pos >>> 16) - 1;
        if (prev < 0) {
            return -1;
        }
        int no = leafStart + (int) prev;
        return prev << 16 | (leafCount(blocks.apply(no), no) - 1);
    }

    /** How error messages name the entry at {@code pos}. */
    String describe(long pos) {
        return clustered ? "entry " + (pos & 0xFFFF) + " of leaf block " + leafBlockNo(pos) : "entry " + pos;
    }

    /**
     * Compares the first {@code width} bytes at {@code b[off..]} with those of {@code target}, unsigned, eight bytes
     * at a time (index searches spend their time here).
     */
    static int compareFence(byte[] b, int off, byte[] target, int width) {
        int k = 0;
        for (; k + 8 <= width; k += 8) {
            long x = Bytes.getLong(b, off + k);
            long y = Bytes.getLong(target, k);
            if (x != y) {
                return Long.compareUnsigned(x, y);
            }
        }
        for (; k < width; k++) {
            int x = b[off + k] & 0xFF;
            int y = target[k] & 0xFF;
            if (x != y) {
                return x - y;
            }
        }
        return 0;
    }

    /** Leaf entries per leaf block. */
    int perLeaf() {
        return perLeaf;
    }

    /** The leaf block holding the entry at {@code pos}. */
    byte[] leafBlock(long pos) {
        return block(leafBlockNo(pos));
    }

    int leafBlockNo(long pos) {
        return leafStart + (int) (clustered ? pos >>> 16 : pos / perLeaf);
    }

    /** Where the entry at {@code pos} starts in its leaf block {@code b} (checked by whoever read it). */
    int entryOffset(byte[] b, long pos) {
        return clustered ? ClusteredLeaf.entryOffset(ClusteredLeaf.keys(b), (int) (pos & 0xFFFF))
                : (int) (pos % perLeaf) * summary.entrySize();
    }

    /** Where entry {@code i} of a version 1 file starts in its leaf block. */
    int leafOffset(long i) {
        return (int) (i % perLeaf) * summary.entrySize();
    }

    /** The file offset of the entry at {@code pos}, for error messages (reads its leaf block when clustered). */
    long entryFileOffset(long pos) {
        int no = leafBlockNo(pos);
        return (long) no * BLOCK_SIZE + (clustered ? ClusteredLeaf.HEADER : leafOffset(pos));
    }

    /** Copies a value out of the values stream, checking it lies inside the stream; blocks come from {@code blocks}. */
    byte[] readValue(long off, int len, long entryIndex, java.util.function.IntFunction<byte[]> blocks) {
        checkValueBounds(off, len, entryIndex);
        byte[] outBuf = new byte[len];
        copyValues(off, outBuf, 0, len, blocks);
        return outBuf;
    }

    /** Fails unless {@code [off, off + len)} lies inside the values stream (entry {@code entryIndex} points there). */
    void checkValueBounds(long off, int len, long entryIndex) {
        if (off < 0 || len < 0 || off + len > summary.valuesLength()) {
            throw LayerFileFormat.bad(file, entryFileOffset(entryIndex), "index " + describe(entryIndex)
                    + " points at bytes " + off + ".." + (off + len) + " outside the values ("
                    + summary.valuesLength() + " bytes)");
        }
    }

    /**
     * Copies {@code len} bytes of the values stream from {@code off} into {@code dst} at {@code dstOff} (the caller
     * checked they lie inside the stream), taking blocks from {@code blocks}.
     */
    void copyValues(long off, byte[] dst, int dstOff, int len, java.util.function.IntFunction<byte[]> blocks) {
        int blockNo = 1 + (int) (off / PAYLOAD);
        int inBlock = (int) (off % PAYLOAD);
        while (len > 0) {
            int n = Math.min(len, PAYLOAD - inBlock);
            System.arraycopy(blocks.apply(blockNo), inBlock, dst, dstOff, n);
            dstOff += n;
            len -= n;
            blockNo++;
            inBlock = 0;
        }
    }

    /** One byte of the values stream (the caller checked the value it belongs to lies inside the stream). */
    byte valueByte(long off, java.util.function.IntFunction<byte[]> blocks) {
        return blocks.apply(1 + (int) (off / PAYLOAD))[(int) (off % PAYLOAD)];
    }

    private byte[] load(long blockNo) {
        byte[] b = new byte[BLOCK_SIZE];
        for (int attempt = 0; ; attempt++) {
            FileChannel c = channel();
            try {
                ByteBuffer buf = ByteBuffer.wrap(b);
                long pos = blockNo * BLOCK_SIZE;
                while (buf.hasRemaining()) {
                    int n = c.read(buf, pos + buf.position());
                    if (n < 0) {
                        throw LayerFileFormat.bad(file, pos + buf.position(), "unexpected end of file");
                    }
                }
                LayerFileFormat.verify(file, (int) blockNo, b);
                return b;
            } catch (ClosedChannelException e) {
                if (closed) {
                    throw new LayerRetiredException(file);
                }
                if (Thread.currentThread().isInterrupted() || attempt > 8) {
                    throw new StorageException("read of layer file " + file + " was interrupted", e);
                }
                // The descriptor was closed under us: evicted by FileHandles, or by another thread's interrupt.
            } catch (IOException e) {
                throw new StorageException("cannot read layer file " + file + " at offset " + blockNo * BLOCK_SIZE
                        + ": " + e.getMessage(), e);
            }
        }
    }

    /** The open channel, opened again when the descriptor was evicted or closed by an interrupt. */
    private FileChannel channel() {
        FileChannel c = ch;
        if (c != null && c.isOpen()) {
            return c;
        }
        synchronized (this) {
            if (closed) {
                throw new LayerRetiredException(file);
            }
            c = ch;
            if (c == null || !c.isOpen()) {
                try {
                    c = handles.open(this, path);
                } catch (IOException e) {
                    throw new StorageException("cannot reopen layer file " + file + ": " + e.getMessage(), e);
                }
                ch = c;
            }
            return c;
        }
    }

    /** Releases the file; later reads throw {@link LayerRetiredException}. */
    @Override
    public synchronized void close() {
        closed = true;
        closeQuietly();
    }

    private void closeQuietly() {
        handles.release(this);
    }
}

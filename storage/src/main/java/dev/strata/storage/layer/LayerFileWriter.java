package dev.strata.storage.layer;

import dev.strata.storage.StorageException;
import dev.strata.storage.io.DurableFiles;
import dev.strata.storage.io.FaultInjector;
import dev.strata.storage.key.KeyRange;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

import static dev.strata.storage.layer.LayerFileFormat.BLOCK_SIZE;
import static dev.strata.storage.layer.LayerFileFormat.PAYLOAD;

/**
 * Writes one layer file in {@link LayerFileFormat}: values first (streamed across blocks), then the index leaves
 * (fixed entries added in sorted order, version 1, or whole clustered leaf blocks built by the caller, version 2),
 * then the index levels above them, and finally the summary into block 0. The file is
 * written under a temporary name, fsynced and closed by {@link #finish}; the caller renames it into place.
 *
 * <p>Blocks are filled in 512 KiB buffers. A buffer is sealed (CRCs) and written either by the caller or, with
 * write-behind, by a {@link WriteBehind} thread while the caller fills the next buffer, so that producing the
 * data and writing it overlap.
 */
final class LayerFileWriter implements AutoCloseable {
    static final int OUT_BLOCKS = 64;

    private final Path path;
    private final int magic;
    private final int entrySize;
    private final int fenceWidth;
    /** Version 2: the caller adds whole leaf blocks ({@link #addLeafBlock}) instead of entries. */
    private final boolean clustered;
    private final FaultInjector faults;
    private final DurableFiles files;
    private final FileChannel ch;
    /**
     * With O_DIRECT in effect: the aligned buffer every write goes through. The JDK would otherwise stage heap
     * buffers in aligned temporary buffers of its own, and releasing an uncached one of those fails in JDK 17.
     */
    private ByteBuffer aligned;
    // Blocks are built in place in this buffer (no copy between a block and the buffer written out); the block being
    // filled is at index outBlocks.
    private byte[] out = new byte[OUT_BLOCKS * BLOCK_SIZE];
    private int outBlocks;
    /** Block number of the first block in {@link #out}. */
    private int outFirst;
    private final WriteBehind behind;
    private final LeafSpill leaves;
    /** Version 2: the fence of each leaf block, as it was added. */
    private final FenceLevel leafFences;
    private int curPos;
    private int nextBlock;
    private long valuesLength;
    private long entryCount;
    private final byte[] lastFence;
    private boolean finished;

    LayerFileWriter(Path path, int magic, int entrySize, int fenceWidth, DurableFiles files) {
        this(path, magic, entrySize, fenceWidth, files, false, false, false);
    }

    LayerFileWriter(Path path, int magic, int entrySize, int fenceWidth, DurableFiles files, boolean writeBehind,
                    boolean early) {
        this(path, magic, entrySize, fenceWidth, files, writeBehind, early, false);
    }

    /**
     * @param writeBehind seal and write filled buffers on a thread of their own
     * @param early       with write-behind: also start writing back to disk every few MiB, so that the final fsync
     *                    has little left to do (pass whether fsync is on)
     * @param clustered   write a version 2 file, whose leaf blocks the caller builds
     */
    LayerFileWriter(Path path, int magic, int entrySize, int fenceWidth, DurableFiles files, boolean writeBehind,
                    boolean early, boolean clustered) {
        this(path, magic, entrySize, fenceWidth, files, writeBehind, early, clustered, false);
    }

    /**
     * @param directIo write around the page cache ({@code O_DIRECT}) where the file system allows it: for a file
     *                 that is written once and not read soon (a flush's L0), so that writing it neither copies
     *                 every byte into the page cache nor makes the cache grow; elsewhere it is written normally
     */
    LayerFileWriter(Path path, int magic, int entrySize, int fenceWidth, DurableFiles files, boolean writeBehind,
                    boolean early, boolean clustered, boolean directIo) {
        this.path = path;
        this.clustered = clustered;
        this.magic = magic;
        this.entrySize = entrySize;
        this.fenceWidth = fenceWidth;
        this.faults = files.faults();
        this.files = files;
        this.lastFence = new byte[fenceWidth];
        try {
            faults.beforeStep("layer.create");
            Opened o = create(path, directIo);
            this.ch = o.ch();
            if (o.alignment() > 0) {
                aligned = ByteBuffer.allocateDirect(OUT_BLOCKS * BLOCK_SIZE + o.alignment())
                        .alignedSlice(o.alignment());
            }
        } catch (IOException e) {
            throw new StorageException("cannot create layer file " + path + ": " + e.getMessage(), e);
        }
        this.leafFences = clustered ? new FenceLevel(fenceWidth) : null;
        this.leaves = new LeafSpill(path.resolveSibling(path.getFileName() + ".idx"), entrySize);
        this.behind = writeBehind ? new WriteBehind(ch, path, faults, early) : null;
        emitBlock(new byte[BLOCK_SIZE]); // block 0: the summary, written last
    }

    /**
     * Opens a new file, with {@code O_DIRECT} when asked and possible: every write here is whole 8 KiB blocks at
     * block offsets, which meets its alignment rules when the file system's block size divides 8192; otherwise, or
     * when the file system refuses the flag, the file is opened normally.
     */
    private static Opened create(Path path, boolean directIo) throws IOException {
        if (directIo) {
            try {
                long bs = Files.getFileStore(path.getParent()).getBlockSize();
                if (bs > 0 && BLOCK_SIZE % bs == 0) {
                    return new Opened(FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                            StandardOpenOption.READ, StandardOpenOption.TRUNCATE_EXISTING,
                            com.sun.nio.file.ExtendedOpenOption.DIRECT), (int) Math.max(4096, bs));
                }
            } catch (IOException | UnsupportedOperationException e) {
                // no O_DIRECT on this file system: written through the page cache below
            }
        }
        return new Opened(FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ, StandardOpenOption.TRUNCATE_EXISTING), 0);
    }

    /** A new file's channel and, when it was opened with O_DIRECT, the alignment its writes need (else 0). */
    private record Opened(FileChannel ch, int alignment) {
    }

    Path path() {
        return path;
    }

    long valuesLength() {
        return valuesLength;
    }

    long entryCount() {
        return entryCount;
    }

    /** Bytes written so far (values and index entries), to decide where to cut output files. */
    long approximateSize() {
        return clustered ? (long) (nextBlock + leaves.blockCount()) * BLOCK_SIZE
                : (long) nextBlock * BLOCK_SIZE + entryCount * entrySize;
    }

    /** Appends a value to the values stream and returns its stream offset. */
    long appendValue(byte[] buf, int off, int len) {
        long at = valuesLength;
        while (len > 0) {
            int n = Math.min(len, PAYLOAD - curPos);
            System.arraycopy(buf, off, out, outBlocks * BLOCK_SIZE + curPos, n);
            curPos += n;
            off += n;
            len -= n;
            valuesLength += n;
            if (curPos == PAYLOAD) {
                sealCurrent();
            }
        }
        return at;
    }

    /** Adds the next index entry; entries must come in strictly ascending order of their first fenceWidth bytes. */
    void addEntry(byte[] entry) {
        if (clustered) {
            throw new IllegalStateException("a clustered layer file takes whole leaf blocks");
        }
        if (entry.length != entrySize) {
            throw new IllegalArgumentException("index entry of " + entry.length + " bytes, expected " + entrySize);
        }
        if (entryCount > 0 && Arrays.compareUnsigned(entry, 0, fenceWidth, lastFence, 0, fenceWidth) <= 0) {
            throw new IllegalStateException("index entries out of order in " + path);
        }
        System.arraycopy(entry, 0, lastFence, 0, fenceWidth);
        leaves.add(entry);
        entryCount++;
    }

    /**
     * Adds the next clustered leaf block (version 2): {@code block} holds a complete payload of {@code entries}
     * entries whose first one is {@code fence} (key and LSN), which must sort after {@code lastFence}, the last entry
     * of the block before; the block is copied.
     */
    void addLeafBlock(byte[] block, int entries, byte[] fence, byte[] lastFenceOfBlock) {
        if (!clustered) {
            throw new IllegalStateException("a version 1 layer file takes entries, not leaf blocks");
        }
        if (entryCount > 0 && Arrays.compareUnsigned(fence, 0, fenceWidth, lastFence, 0, fenceWidth) <= 0) {
            throw new IllegalStateException("index entries out of order in " + path);
        }
        System.arraycopy(lastFenceOfBlock, 0, lastFence, 0, fenceWidth);
        leafFences.add(fence, 0);
        leaves.addBlock(block);
        entryCount += entries;
    }

    /** Writes index and summary, fsyncs and closes the file. */
    LayerFileFormat.Summary finish(KeyRange keys, long lsnStart, long lsnEnd) {
        if (curPos > 0) {
            java.util.Arrays.fill(out, outBlocks * BLOCK_SIZE + curPos, (outBlocks + 1) * BLOCK_SIZE, (byte) 0);
            sealCurrent();
        }
        LayerFileFormat.Level[] levels = writeIndex();
        LayerFileFormat.Summary s = new LayerFileFormat.Summary(magic,
                clustered ? LayerFileFormat.CLUSTERED_VERSION : LayerFileFormat.VERSION, entrySize, fenceWidth,
                keys.start(), keys.end(), lsnStart, lsnEnd, entryCount, valuesLength, nextBlock, levels);
        flushOut();
        if (behind != null) {
            behind.finish();
        }
        try {
            faults.beforeStep("layer.write");
            writeAt(ch, ByteBuffer.wrap(s.encode()), 0, aligned);
            files.force(ch, "layer");
            ch.close();
        } catch (IOException e) {
            throw new StorageException("cannot write layer file " + path + ": " + e.getMessage(), e);
        }
        finished = true;
        leaves.close();
        return s;
    }

    private LayerFileFormat.Level[] writeIndex() {
        int leafStart = nextBlock;
        leaves.finish();
        FenceLevel fences = clustered ? leafFences : new FenceLevel(fenceWidth);
        for (int i = 0; i < leaves.blockCount(); i++) {
            byte[] payload = leaves.block(i);
            if (!clustered) {
                fences.add(payload, 0);
            }
            emitBlock(payload);
        }
        LayerFileFormat.Level[] levels = new LayerFileFormat.Level[LayerFileFormat.MAX_LEVELS];
        levels[0] = new LayerFileFormat.Level(leafStart, clustered ? leaves.blockCount() : entryCount);
        int n = 1;
        int perFence = PAYLOAD / fenceWidth;
        // Version 1: a level goes on top while the one below does not fit in one block. Version 2: while there is
        // more than one leaf block, and then while the level below does not fit in the root's blocks.
        long below = clustered ? leaves.blockCount() : entryCount;
        long fitsInRoot = clustered ? 1 : PAYLOAD / entrySize;
        while (below > fitsInRoot) {
            if (n == LayerFileFormat.MAX_LEVELS) {
                throw new StorageException("layer file " + path + " has too many entries for its index");
            }
            levels[n++] = new LayerFileFormat.Level(nextBlock, fences.count());
            fences = writeFenceLevel(fences, perFence);
            below = levels[n - 1].entries();
            fitsInRoot = clustered ? (long) LayerFileFormat.ROOT_MAX_BLOCKS * perFence : perFence;
        }
        return Arrays.copyOf(levels, n);
    }

    /** Writes one index level of {@code fences} and returns the fences of its blocks (the level above). */
    private FenceLevel writeFenceLevel(FenceLevel fences, int perFence) {
        FenceLevel next = new FenceLevel(fenceWidth);
        byte[] block = new byte[BLOCK_SIZE];
        int inBlock = 0;
        for (int i = 0; i < fences.count(); i++) {
            if (inBlock == 0) {
                next.add(fences.bytes(), i * fenceWidth);
            }
            System.arraycopy(fences.bytes(), i * fenceWidth, block, inBlock * fenceWidth, fenceWidth);
            if (++inBlock == perFence) {
                emitBlock(block);
                block = new byte[BLOCK_SIZE];
                inBlock = 0;
            }
        }
        if (inBlock > 0) {
            emitBlock(block);
        }
        return next;
    }

    /** Closes the block being filled in the buffer (its CRC is computed when the buffer is written). */
    private void sealCurrent() {
        nextBlock++;
        curPos = 0;
        if (++outBlocks == OUT_BLOCKS) {
            flushOut();
        }
    }

    /** Appends a block built elsewhere (index blocks, the summary placeholder); no value block may be open. */
    private void emitBlock(byte[] block) {
        System.arraycopy(block, 0, out, outBlocks * BLOCK_SIZE, PAYLOAD);
        sealCurrent();
    }

    private void flushOut() {
        if (outBlocks == 0) {
            return;
        }
        if (behind != null) {
            out = behind.submit(out, outFirst, outBlocks);
        } else {
            writeBuffer(ch, path, faults, out, outFirst, outBlocks, aligned);
        }
        outFirst += outBlocks;
        outBlocks = 0;
    }

    /**
     * Seals {@code count} blocks numbered from {@code first} in {@code buf} and writes them at their place in the file,
     * through {@code aligned} when the file is open with O_DIRECT (else null).
     */
    static void writeBuffer(FileChannel ch, Path path, FaultInjector faults, byte[] buf, int first, int count,
                            ByteBuffer aligned) {
        for (int k = 0; k < count; k++) {
            LayerFileFormat.seal(first + k, buf, k * BLOCK_SIZE);
        }
        try {
            faults.beforeStep("layer.write");
            writeAt(ch, ByteBuffer.wrap(buf, 0, count * BLOCK_SIZE), (long) first * BLOCK_SIZE, aligned);
        } catch (IOException e) {
            throw new StorageException("cannot write layer file " + path + ": " + e.getMessage(), e);
        }
    }

    /** Writes {@code src} at {@code pos}: directly, or copied into {@code aligned} (which must have room) first. */
    private static void writeAt(FileChannel ch, ByteBuffer src, long pos, ByteBuffer aligned) throws IOException {
        ByteBuffer b = src;
        if (aligned != null) {
            aligned.clear();
            aligned.put(src);
            aligned.flip();
            b = aligned;
        }
        while (b.hasRemaining()) {
            pos += ch.write(b, pos);
        }
    }

    /** Closes and deletes an unfinished file (after a failure or a cancellation). */
    @Override
    public void close() {
        if (finished) {
            return;
        }
        if (behind != null) {
            behind.abandon();
        }
        try {
            ch.close();
        } catch (IOException e) {
            // Abandoning the file anyway; the deletion below or the next start removes it.
        }
        leaves.close();
        try {
            java.nio.file.Files.deleteIfExists(path);
        } catch (IOException e) {
            // A leftover temp file is removed when the timeline is next opened.
        }
    }

    /** The first fenceWidth bytes of the first entry of each block of one index level. */
    private static final class FenceLevel {
        private final int width;
        private byte[] bytes = new byte[1024];
        private int count;

        FenceLevel(int width) {
            this.width = width;
        }

        void add(byte[] src, int off) {
            if ((count + 1) * width > bytes.length) {
                bytes = Arrays.copyOf(bytes, bytes.length * 2);
            }
            System.arraycopy(src, off, bytes, count * width, width);
            count++;
        }

        int count() {
            return count;
        }

        byte[] bytes() {
            return bytes;
        }
    }
}

package dev.strata.storage.layer;

import dev.strata.storage.StorageException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import static dev.strata.storage.layer.LayerFileFormat.BLOCK_SIZE;
import static dev.strata.storage.layer.LayerFileFormat.PAYLOAD;

/**
 * Index leaf blocks of a layer file being written. The leaves go after the values, whose length is unknown until
 * the end, so they are held back: in memory up to {@link #MEMORY_LIMIT}, then in a side file next to the layer
 * (named like it plus {@code .idx}; removed when the layer is finished, and by the next start after a crash).
 */
final class LeafSpill implements AutoCloseable {
    static final int MEMORY_LIMIT = 4 << 20;

    private final Path spillPath;
    private final int entrySize;
    private final int perBlock;
    private final List<byte[]> memory = new ArrayList<>();
    private FileChannel spill;
    private int spilledBlocks;
    private byte[] cur;
    private int inCur;

    LeafSpill(Path spillPath, int entrySize) {
        this.spillPath = spillPath;
        this.entrySize = entrySize;
        this.perBlock = PAYLOAD / entrySize;
    }

    void add(byte[] entry) {
        if (cur == null) {
            cur = new byte[BLOCK_SIZE];
        }
        System.arraycopy(entry, 0, cur, inCur * entrySize, entrySize);
        if (++inCur == perBlock) {
            push();
        }
    }

    /** Adds a whole leaf block built by the caller (clustered leaves); no entry may be pending. */
    void addBlock(byte[] block) {
        if (inCur > 0) {
            throw new IllegalStateException("a leaf block added while entries are pending");
        }
        byte[] copy = new byte[BLOCK_SIZE];
        System.arraycopy(block, 0, copy, 0, PAYLOAD);
        cur = copy;
        push();
    }

    /** Pushes the last, partly filled block. */
    void finish() {
        if (inCur > 0) {
            push();
        }
    }

    int blockCount() {
        return spilledBlocks + memory.size();
    }

    /** Leaf block {@code i} (a fresh array, CRC not yet set). */
    byte[] block(int i) {
        if (i >= spilledBlocks) {
            return memory.get(i - spilledBlocks);
        }
        byte[] b = new byte[BLOCK_SIZE];
        ByteBuffer buf = ByteBuffer.wrap(b);
        try {
            long pos = (long) i * BLOCK_SIZE;
            while (buf.hasRemaining()) {
                int n = spill.read(buf, pos + buf.position());
                if (n < 0) {
                    throw new IOException("unexpected end of file");
                }
            }
        } catch (IOException e) {
            throw new StorageException("cannot read index spill file " + spillPath + ": " + e.getMessage(), e);
        }
        return b;
    }

    private void push() {
        memory.add(cur);
        cur = null;
        inCur = 0;
        if ((long) memory.size() * BLOCK_SIZE > MEMORY_LIMIT) {
            spillMemory();
        }
    }

    private void spillMemory() {
        try {
            if (spill == null) {
                spill = FileChannel.open(spillPath, StandardOpenOption.CREATE, StandardOpenOption.READ,
                        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
            }
            for (byte[] b : memory) {
                ByteBuffer buf = ByteBuffer.wrap(b);
                long pos = (long) spilledBlocks * BLOCK_SIZE;
                while (buf.hasRemaining()) {
                    spill.write(buf, pos + buf.position());
                }
                spilledBlocks++;
            }
            memory.clear();
        } catch (IOException e) {
            throw new StorageException("cannot write index spill file " + spillPath + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (spill == null) {
            return;
        }
        try {
            spill.close();
            Files.deleteIfExists(spillPath);
        } catch (IOException e) {
            // A leftover spill file is removed when the timeline is next opened.
        }
        spill = null;
    }
}

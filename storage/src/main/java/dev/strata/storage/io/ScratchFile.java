package dev.strata.storage.io;

import java.io.IOException;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * An append-only scratch file whose writes happen behind the appending thread: values are copied into in-memory
 * chunks (direct buffers, which the write system call takes as they are, without the copy a heap array costs),
 * and each full chunk is handed to a {@link ScratchWriter} writer; until it has been written, reads of its
 * values are served from the chunk. The file is a plain concatenation of what was appended, at the locations
 * {@link #append} returned; it is never fsynced and never read after a restart (it serves an in-memory layer).
 *
 * <p>Locations: chunks start at multiples of {@link #CHUNK_SIZE}, so a location's chunk is its slot
 * {@code loc / CHUNK_SIZE}. A value never spans chunks: one that does not fit in the rest of the current chunk
 * starts a new one, leaving a hole in the file (a sparse range, never read); a value larger than a chunk gets a
 * chunk of its own, covering as many slots as it needs.
 *
 * <p>Threads: one appending thread; reads from any thread, without locks. A chunk is published in the slot table
 * before any value in it is appended (the caller publishes values after {@link #append} returns, with ordering of
 * its own); its slot is cleared only after the writer wrote it, so a reader that finds the slot empty finds the
 * bytes in the file. The slot table's growth and the clearing of slots happen under one lock, so a cleared slot is
 * never resurrected by a copy. A chunk never changes while its slot holds it; once written, it is reused for a
 * later slot (so that ingest does not allocate and zero a chunk per half MiB), and a reader validates its copy
 * against the slot, as an optimistic read of a sequence lock does, falling back to the file.
 *
 * <p>Memory is bounded: at most {@link #MAX_UNWRITTEN_CHUNKS} full chunks wait for the writer; the appending thread
 * waits beyond that. A failed write is reported by the next append, {@link #seal} or {@link #awaitWritten}; its
 * chunk stays in memory, so reads stay correct until the owner gives the file up.
 */
public final class ScratchFile {
    /** Chunks are reused, so their number stays small; a value larger than this gets a chunk of its own. */
    public static final int CHUNK_SIZE = 512 << 10;
    static final int MAX_UNWRITTEN_CHUNKS = 32;

    private final Path path;
    private final ScratchWriter writer;
    private final Object lock = new Object();
    private volatile AtomicReferenceArray<ByteBuffer> slots = new AtomicReferenceArray<>(16);
    private volatile FileChannel ch;
    private volatile boolean closed;
    /** Chunks handed to the writer and not yet written (guarded by lock). */
    private int unwritten;
    /** The first write failure (guarded by lock). */
    private IOException failure;
    /** Written chunks of {@link #CHUNK_SIZE} bytes, for reuse (guarded by lock). */
    private final java.util.ArrayDeque<ByteBuffer> free = new java.util.ArrayDeque<>();
    // Appending thread only (or the owner once appends ended).
    private ByteBuffer tail;
    private int tailSlot;
    private int tailFill;
    private int nextSlot;
    private long appended;
    private long end;

    public ScratchFile(Path path, ScratchWriter writer) {
        this.path = path;
        this.writer = writer;
    }

    /** Bytes appended (the holes chunks leave not counted). */
    public long size() {
        return appended;
    }

    /** Where the file's last written byte ends, once {@link #awaitWritten} returned. */
    public long end() {
        return end;
    }

    /** The file's channel (null before the first chunk was handed to the writer). */
    public FileChannel channel() {
        return ch;
    }

    /**
     * Appends {@code b0}, {@code b1} and {@code payload} as one value of {@code payload.length + 2} bytes and
     * returns its location.
     *
     * @throws IOException when an earlier write of this file failed
     */
    public long append(byte b0, byte b1, byte[] payload) throws IOException {
        int len = payload.length + 2;
        if (tail == null || tailFill + len > tail.capacity()) {
            seal();
            startChunk(len);
        }
        long loc = (long) tailSlot * CHUNK_SIZE + tailFill;
        tail.put(tailFill, b0);
        tail.put(tailFill + 1, b1);
        tail.put(tailFill + 2, payload);
        tailFill += len;
        appended += len;
        return loc;
    }

    private void startChunk(int len) {
        int n = Math.max(1, (len + CHUNK_SIZE - 1) / CHUNK_SIZE);
        ByteBuffer c = null;
        int slot = nextSlot;
        synchronized (lock) {
            if (len <= CHUNK_SIZE) {
                c = free.poll();
            }
            if (c == null) {
                c = ByteBuffer.allocateDirect(Math.max(CHUNK_SIZE, len));
            }
            AtomicReferenceArray<ByteBuffer> t = slots;
            if (slot + n > t.length()) {
                AtomicReferenceArray<ByteBuffer> bigger = new AtomicReferenceArray<>(Math.max(t.length() * 2,
                        slot + n));
                for (int i = 0; i < t.length(); i++) {
                    bigger.set(i, t.get(i));
                }
                t = bigger;
                slots = bigger;
            }
            t.set(slot, c);
        }
        tail = c;
        tailSlot = slot;
        tailFill = 0;
        nextSlot = slot + n;
    }

    /**
     * Hands the current chunk to the writer (appending thread, or the owner once appends ended). The next append
     * starts a new chunk.
     *
     * @throws IOException when an earlier write failed
     */
    public void seal() throws IOException {
        ByteBuffer c = tail;
        if (c == null) {
            checkFailure();
            return;
        }
        int slot = tailSlot;
        int n = tailFill;
        tail = null;
        if (n == 0) {
            synchronized (lock) {
                slots.set(slot, null);
            }
            checkFailure();
            return;
        }
        if (ch == null) {
            ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        }
        synchronized (lock) {
            while (unwritten >= MAX_UNWRITTEN_CHUNKS && failure == null) {
                waitOnLock();
            }
            checkFailureLocked();
            unwritten++;
        }
        long pos = (long) slot * CHUNK_SIZE;
        end = Math.max(end, pos + n);
        writer.submit(ch, pos, c.duplicate().position(0).limit(n), f -> written(slot, f));
    }

    private void written(int slot, IOException f) {
        synchronized (lock) {
            unwritten--;
            if (f == null) {
                ByteBuffer c = slots.get(slot);
                slots.set(slot, null);
                if (c.capacity() == CHUNK_SIZE && free.size() < MAX_UNWRITTEN_CHUNKS) {
                    free.add(c); // reused only after its slot was cleared: see read()
                }
            } else if (failure == null && !closed) {
                failure = f;
            }
            lock.notifyAll();
        }
    }

    /** Seals the current chunk and waits until every chunk is in the file (its owner, once appends ended). */
    public void awaitWritten() throws IOException {
        seal();
        synchronized (lock) {
            while (unwritten > 0 && failure == null) {
                waitOnLock();
            }
            checkFailureLocked();
        }
    }

    /** Copies {@code len} bytes at {@code loc} into a new array (any thread). */
    public byte[] read(long loc, int len) throws IOException {
        byte[] out = new byte[len];
        int slot = (int) (loc / CHUNK_SIZE);
        AtomicReferenceArray<ByteBuffer> t = slots;
        ByteBuffer c = slot < t.length() ? t.get(slot) : null;
        if (c != null) {
            c.get((int) (loc - (long) slot * CHUNK_SIZE), out, 0, len);
            // A written chunk is reused for a later slot, but only after its slot was cleared (in the current
            // table, under the lock). So if the slot still holds it after the copy, the copy read the value;
            // otherwise the value is in the file. The fence keeps the copy's loads before the check.
            VarHandle.acquireFence();
            if (slots.get(slot) == c) {
                return out;
            }
        }
        ByteBuffer b = ByteBuffer.wrap(out);
        while (b.hasRemaining()) {
            if (ch.read(b, loc + b.position()) < 0) {
                throw new IOException("scratch file " + path + " ends before offset " + (loc + len));
            }
        }
        return out;
    }

    /** Closes and deletes the file; writes still queued fail quietly, reads fail with a closed channel. */
    public void closeAndDelete() throws IOException {
        synchronized (lock) {
            closed = true;
        }
        FileChannel c = ch;
        if (c != null) {
            c.close();
        }
        Files.deleteIfExists(path);
    }

    private void checkFailure() throws IOException {
        synchronized (lock) {
            checkFailureLocked();
        }
    }

    private void checkFailureLocked() throws IOException {
        if (failure != null) {
            throw new IOException("writing scratch file " + path + " failed: " + failure.getMessage(), failure);
        }
    }

    private void waitOnLock() throws IOException {
        try {
            lock.wait();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for writes of scratch file " + path, e);
        }
    }
}

package dev.strata.storage.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * An append-only scratch file whose writes happen behind the appending thread: values are copied into in-memory
 * chunks, and each full chunk is handed to a {@link WriteBehind} writer; until it has been written, reads of its
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
 * never resurrected by a copy. Chunks never change once handed to the writer and are never reused, so a reader
 * still copying from one that was just written is unaffected.
 *
 * <p>Memory is bounded: at most {@link #MAX_UNWRITTEN_CHUNKS} full chunks wait for the writer; the appending thread
 * waits beyond that. A failed write is reported by the next append, {@link #seal} or {@link #awaitWritten}; its
 * chunk stays in memory, so reads stay correct until the owner gives the file up.
 */
public final class ScratchFile {
    public static final int CHUNK_SIZE = 256 << 10;
    static final int MAX_UNWRITTEN_CHUNKS = 64;

    private final Path path;
    private final WriteBehind writer;
    private final Object lock = new Object();
    private volatile AtomicReferenceArray<byte[]> slots = new AtomicReferenceArray<>(16);
    private volatile FileChannel ch;
    private volatile boolean closed;
    /** Chunks handed to the writer and not yet written (guarded by lock). */
    private int unwritten;
    /** The first write failure (guarded by lock). */
    private IOException failure;
    // Appending thread only (or the owner once appends ended).
    private byte[] tail;
    private int tailSlot;
    private int tailFill;
    private int nextSlot;
    private long appended;
    private long end;

    public ScratchFile(Path path, WriteBehind writer) {
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
        if (tail == null || tailFill + len > tail.length) {
            seal();
            startChunk(len);
        }
        long loc = (long) tailSlot * CHUNK_SIZE + tailFill;
        tail[tailFill] = b0;
        tail[tailFill + 1] = b1;
        System.arraycopy(payload, 0, tail, tailFill + 2, payload.length);
        tailFill += len;
        appended += len;
        return loc;
    }

    private void startChunk(int len) {
        int n = Math.max(1, (len + CHUNK_SIZE - 1) / CHUNK_SIZE);
        byte[] c = new byte[Math.max(CHUNK_SIZE, len)];
        int slot = nextSlot;
        synchronized (lock) {
            AtomicReferenceArray<byte[]> t = slots;
            if (slot + n > t.length()) {
                AtomicReferenceArray<byte[]> bigger = new AtomicReferenceArray<>(Math.max(t.length() * 2, slot + n));
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
        byte[] c = tail;
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
        writer.submit(ch, pos, c, n, f -> written(slot, f));
    }

    private void written(int slot, IOException f) {
        synchronized (lock) {
            unwritten--;
            if (f == null) {
                slots.set(slot, null);
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
        AtomicReferenceArray<byte[]> t = slots;
        byte[] c = slot < t.length() ? t.get(slot) : null;
        if (c != null) {
            System.arraycopy(c, (int) (loc - (long) slot * CHUNK_SIZE), out, 0, len);
            return out;
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

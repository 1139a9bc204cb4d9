package dev.strata.storage.layer;

import dev.strata.storage.StorageException;
import dev.strata.storage.io.FaultInjector;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

import static dev.strata.storage.layer.LayerFileFormat.BLOCK_SIZE;

/**
 * The thread that seals and appends the filled buffers of one {@link LayerFileWriter}, so that the caller builds
 * the next buffer (reading and reconstructing pages, merging deltas) while this one goes to the kernel. Two
 * buffers circulate: the caller waits for a free one when the disk is slower than the producer.
 *
 * <p>With {@code early} set it also calls {@code fdatasync} every {@link #EARLY_SYNC_BYTES}: the file is still a
 * temporary one, so this changes nothing about what a crash leaves behind, but the kernel writes the data back
 * while the caller keeps producing, and the final fsync of {@link LayerFileWriter#finish} no longer has to write
 * the whole file at once.
 *
 * <p>The first failure (an I/O error, or a step refused by the {@link FaultInjector}) stops the thread; the caller
 * sees it at its next {@link #submit} or at {@link #finish}, before it takes any further step of its own.
 */
final class WriteBehind {
    static final long EARLY_SYNC_BYTES = 16L << 20;
    private static final Job STOP = new Job(null, 0, 0);

    private record Job(byte[] buf, int first, int count) {
    }

    private final FileChannel ch;
    private final Path path;
    private final FaultInjector faults;
    private final boolean early;
    private final BlockingQueue<Job> full = new ArrayBlockingQueue<>(2);
    private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(2);
    private final Thread thread;
    private volatile Throwable failure;
    private long unsynced;

    WriteBehind(FileChannel ch, Path path, FaultInjector faults, boolean early) {
        this.ch = ch;
        this.path = path;
        this.faults = faults;
        this.early = early;
        free.add(new byte[LayerFileWriter.OUT_BLOCKS * BLOCK_SIZE]);
        this.thread = new Thread(this::run, "layer-write-behind " + path.getFileName());
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Hands over {@code count} filled blocks numbered from {@code first} and returns a free buffer to fill next.
     *
     * @throws StorageException when an earlier write failed (or the fault injector refused it)
     */
    byte[] submit(byte[] buf, int first, int count) {
        rethrow();
        try {
            full.put(new Job(buf, first, count));
            byte[] next;
            do {
                next = free.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS);
                rethrow();
            } while (next == null);
            return next;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abandon();
            throw new StorageException("write of layer file " + path + " was interrupted", e);
        }
    }

    /** Waits until everything handed over is written, then stops the thread. */
    void finish() {
        stopAndJoin();
        rethrow();
    }

    /** Stops the thread without caring about what it still had to write (the file is being abandoned). */
    void abandon() {
        if (failure == null) {
            failure = new StorageException("layer file " + path + " abandoned");
        }
        stopAndJoin();
    }

    private void stopAndJoin() {
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                if (full.offer(STOP, 10, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    break;
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void rethrow() {
        Throwable f = failure;
        if (f instanceof RuntimeException re) {
            throw re;
        }
        if (f instanceof Error err) {
            throw err;
        }
        if (f != null) {
            throw new StorageException("cannot write layer file " + path + ": " + f.getMessage(), f);
        }
    }

    private void run() {
        while (true) {
            Job job;
            try {
                job = full.take();
            } catch (InterruptedException e) {
                failure = new StorageException("write-behind of layer file " + path + " was interrupted", e);
                return;
            }
            if (job == STOP) {
                return;
            }
            if (failure != null) {
                continue; // abandoned or failed: drain until STOP without writing
            }
            try {
                LayerFileWriter.writeBuffer(ch, path, faults, job.buf(), job.first(), job.count(), null);
                unsynced += (long) job.count() * BLOCK_SIZE;
                if (early && unsynced >= EARLY_SYNC_BYTES) {
                    ch.force(false);
                    unsynced = 0;
                }
            } catch (IOException | RuntimeException | Error e) {
                failure = e;
            }
            free.offer(job.buf());
        }
    }
}

package dev.strata.storage.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Positional file writes made by a background thread, so that the thread producing the bytes (ingest) does not
 * spend its time in write system calls and the copies they imply. Writes to one channel may complete in any order
 * (they are positional); each job reports its outcome to its own callback, on the writer thread, after the write
 * system calls returned (the bytes are then in the page cache: readable through the file by any thread).
 *
 * <p>The caller hands over the array: it must not change the bytes written until the callback ran. Nothing here is
 * durable (no fsync): it serves scratch files that are never read after a restart.
 */
public final class ScratchWriter {
    /** The process's writer for scratch files, one daemon thread. */
    public static final ScratchWriter SHARED = new ScratchWriter("strata-scratch-writer");

    /** The outcome of one write, called on the writer thread. */
    @FunctionalInterface
    public interface Done {
        /** @param failure null when all bytes were written */
        void written(IOException failure);
    }

    private record Job(FileChannel ch, long pos, ByteBuffer buf, Done done) {
    }

    private final LinkedBlockingQueue<Job> queue = new LinkedBlockingQueue<>();

    ScratchWriter(String threadName) {
        Thread t = new Thread(this::run, threadName);
        t.setDaemon(true);
        t.start();
    }

    /**
     * Queues a write of {@code buf}'s bytes from its position to its limit at {@code pos} (the buffer is the
     * writer's until {@code done} ran: pass a duplicate to keep using the original's position and limit). A direct
     * buffer goes to the system call as it is; a heap buffer is first copied into a direct one by the JDK.
     */
    public void submit(FileChannel ch, long pos, ByteBuffer buf, Done done) {
        queue.add(new Job(ch, pos, buf, done));
    }

    private void run() {
        while (true) {
            Job j;
            try {
                j = queue.take();
            } catch (InterruptedException e) {
                continue; // a daemon that lives as long as the process
            }
            IOException failure = null;
            try {
                ByteBuffer b = j.buf();
                long at = j.pos() - b.position();
                while (b.hasRemaining()) {
                    j.ch().write(b, at + b.position());
                }
            } catch (IOException e) {
                failure = e;
            }
            try {
                j.done().written(failure);
            } catch (RuntimeException e) {
                // a callback's own failure must not stop the writer for every other file
                Thread self = Thread.currentThread();
                self.getUncaughtExceptionHandler().uncaughtException(self, e);
            }
        }
    }
}

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
public final class WriteBehind {
    /** The process's writer for scratch files, one daemon thread. */
    public static final WriteBehind SHARED = new WriteBehind("strata-scratch-writer");

    /** The outcome of one write, called on the writer thread. */
    @FunctionalInterface
    public interface Done {
        /** @param failure null when all bytes were written */
        void written(IOException failure);
    }

    private record Job(FileChannel ch, long pos, byte[] buf, int len, Done done) {
    }

    private final LinkedBlockingQueue<Job> queue = new LinkedBlockingQueue<>();

    WriteBehind(String threadName) {
        Thread t = new Thread(this::run, threadName);
        t.setDaemon(true);
        t.start();
    }

    /** Queues a write of {@code buf[0, len)} at {@code pos}; {@code done} runs once it completed or failed. */
    public void submit(FileChannel ch, long pos, byte[] buf, int len, Done done) {
        queue.add(new Job(ch, pos, buf, len, done));
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
                ByteBuffer b = ByteBuffer.wrap(j.buf(), 0, j.len());
                while (b.hasRemaining()) {
                    j.ch().write(b, j.pos() + b.position());
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

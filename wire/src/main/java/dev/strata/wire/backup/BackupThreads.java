package dev.strata.wire.backup;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that reconstruct pages ahead of the backup writers ({@link PageReadAhead}): one per core, at least
 * two, shared by every backup of the process. Each backup bounds how many of its chunks are queued, so the queue
 * itself needs no bound; a backup whose chunk no thread has picked up yet reads that chunk itself, so a busy pool
 * never makes a backup slower than reading alone.
 *
 * <p>The threads are daemons and live for the whole process: starting them (and loading the classes of the write
 * path) once, when the server starts, keeps that work out of the first backup.
 */
final class BackupThreads {
    private static final int THREADS = Math.max(2, Runtime.getRuntime().availableProcessors());
    private static final ThreadPoolExecutor POOL = create();

    private BackupThreads() {
    }

    static Executor pool() {
        return POOL;
    }

    static int threads() {
        return THREADS;
    }

    /** Starts every thread now instead of on the first backup. */
    static void prestart() {
        POOL.prestartAllCoreThreads();
    }

    private static ThreadPoolExecutor create() {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(THREADS, THREADS, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "strata-backup-read-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        return pool;
    }
}

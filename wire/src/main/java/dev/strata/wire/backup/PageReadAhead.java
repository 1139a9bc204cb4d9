package dev.strata.wire.backup;

import dev.strata.storage.StorageException;
import dev.strata.storage.pg.Lsn;
import dev.strata.storage.pg.RelTag;
import dev.strata.storage.pgdata.DatadirView;
import dev.strata.storage.redo.page.PageOps;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Reads the pages of a list of relation segment files ahead of the tar writer, on the {@link BackupThreads}, and
 * hands them over in file and block order.
 *
 * <p>The runs (one per segment file, in archive order) are cut into chunks of at most {@value #CHUNK_BLOCKS}
 * blocks that never span two runs. At most {@code window} chunks are queued or being read at a time, each into its
 * own buffer, and a buffer is reused once the writer has copied it out: memory is {@code window} chunk buffers
 * whatever the database size. A reader thread checks each page (size; pd_lsn not after the backup LSN) and, when
 * the cluster has data checksums, sets its checksum, so that the writer thread only writes. When the next chunk has
 * not been picked up by any thread yet, the writer reads it itself.
 *
 * <p>A failed read stops its chunk at the failing block: the writer writes the blocks before it, then throws the
 * same {@link BackupException} the sequential read would have (naming block, relation, file and LSN). Nothing is
 * read for a backup that is only sized ({@link BackupWriter#estimatedSize()}): reading starts at the first
 * {@link #write}. {@link #close} stops the chunks still queued and waits for those being read.
 *
 * <p>Not thread-safe: one writer thread calls {@link #write} and {@link #close}.
 */
final class PageReadAhead implements AutoCloseable {
    /** Blocks per chunk: 256 KiB, one large write into the tar. */
    static final int CHUNK_BLOCKS = 32;
    /**
     * Chunks queued or being read per backup: four per thread, so that while the writer is blocked on a slow
     * consumer (a pipe into tar takes a MiB at a time) every thread still has work queued: 3 MiB with two threads,
     * 8 MiB at most.
     */
    static final int WINDOW = Math.min(32, 4 * BackupThreads.threads() + 4);

    /** The blocks {@code [first, first + count)} of {@code source}, written as file {@code path}. */
    record Run(RelTag source, int first, int count, String path) {
    }

    private final DatadirView view;
    private final long lsn;
    private final boolean checksums;
    private final Executor pool;
    private final int window;
    private final List<Run> runs;
    private final ArrayDeque<Chunk> inFlight = new ArrayDeque<>();
    private final ArrayDeque<byte[]> freeBuffers = new ArrayDeque<>();
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private int submitRun;
    private int submitBlock;
    private int writeRun;

    PageReadAhead(DatadirView view, long lsn, boolean checksums, List<Run> runs) {
        this(view, lsn, checksums, runs, BackupThreads.pool(), WINDOW);
    }

    PageReadAhead(DatadirView view, long lsn, boolean checksums, List<Run> runs, Executor pool, int window) {
        this.view = view;
        this.lsn = lsn;
        this.checksums = checksums;
        this.runs = runs.stream().filter(r -> r.count() > 0).toList(); // an empty file has nothing to read
        this.pool = pool;
        this.window = window;
    }

    /**
     * Writes the pages of {@code run}, which must be the next run of the list that is not empty, into the tar's
     * current entry.
     */
    void write(TarWriter tar, Run run) throws IOException {
        if (writeRun >= runs.size() || runs.get(writeRun) != run) {
            throw new IllegalStateException("run " + run.path() + " written out of order");
        }
        writeRun++;
        int left = run.count();
        while (left > 0) {
            fill();
            Chunk c = inFlight.poll();
            await(c);
            tar.write(c.buf, 0, c.filled * ControlFile.BLCKSZ);
            if (c.error instanceof RuntimeException e) {
                throw e;
            } else if (c.error instanceof Error e) {
                throw e;
            }
            freeBuffers.push(c.buf);
            left -= c.count;
        }
        fill();
    }

    /**
     * Stops the chunks nobody has started and waits for the ones being read, each of which stops after its current
     * block. An interrupt (a cancelled backup) does not cut the wait short, so that no thread reads for this backup
     * once it is closed; the interrupt status is kept.
     */
    @Override
    public void close() {
        cancelled.set(true);
        for (Chunk c : inFlight) {
            c.run(); // claims a chunk nobody has started, which then reads nothing
        }
        boolean interrupted = Thread.interrupted();
        for (Chunk c : inFlight) {
            while (c.done.getCount() > 0) {
                try {
                    c.done.await();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        inFlight.clear();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Queues chunks until the window is full or every run is queued. */
    private void fill() {
        while (inFlight.size() < window && submitRun < runs.size()) {
            Run run = runs.get(submitRun);
            int count = Math.min(CHUNK_BLOCKS, run.count() - submitBlock);
            byte[] buf = freeBuffers.isEmpty() ? new byte[CHUNK_BLOCKS * ControlFile.BLCKSZ] : freeBuffers.pop();
            Chunk c = new Chunk(run, run.first() + submitBlock, count, buf);
            inFlight.add(c);
            pool.execute(c);
            submitBlock += count;
            if (submitBlock == run.count()) {
                submitRun++;
                submitBlock = 0;
            }
        }
    }

    private void await(Chunk c) throws IOException {
        c.run();
        try {
            c.done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading " + c.run.path() + " for a backup at "
                    + Lsn.format(lsn));
        }
    }

    /** Blocks {@code [first, first + count)} of one run, read into {@code buf} by whichever thread claims it. */
    private final class Chunk implements Runnable {
        final Run run;
        final int first;
        final int count;
        final byte[] buf;
        final AtomicBoolean claimed = new AtomicBoolean();
        final CountDownLatch done = new CountDownLatch(1);
        /** Blocks read and checked, and what stopped the chunk early; both set before {@link #done} opens. */
        int filled;
        Throwable error;

        Chunk(Run run, int first, int count, byte[] buf) {
            this.run = run;
            this.first = first;
            this.count = count;
            this.buf = buf;
        }

        @Override
        public void run() {
            if (!claimed.compareAndSet(false, true)) {
                return;
            }
            try {
                DatadirView.PageScanner pages = view.pageScanner();
                for (int i = 0; i < count && !cancelled.get(); i++) {
                    readBlock(pages, first + i, i * ControlFile.BLCKSZ);
                    filled = i + 1;
                }
            } catch (RuntimeException | Error e) {
                error = e;
            } finally {
                done.countDown();
            }
        }

        private void readBlock(DatadirView.PageScanner pages, int blkno, int off) {
            byte[] page;
            try {
                page = pages.relPage(run.source(), blkno, lsn);
            } catch (StorageException e) {
                throw new BackupException("reading " + block(blkno) + " (" + run.path() + ") at " + Lsn.format(lsn)
                        + " for a backup: " + e.getMessage(), e);
            }
            if (page == null || page.length != ControlFile.BLCKSZ) {
                throw new BackupException(block(blkno) + " at " + Lsn.format(lsn) + " is "
                        + (page == null ? "missing" : page.length + " bytes") + "; pages are " + ControlFile.BLCKSZ);
            }
            long pageLsn = PageOps.pageGetLSN(page);
            if (Long.compareUnsigned(pageLsn, lsn) > 0) {
                // the server would fail its first checkpoint ("xlog flush request ... is not satisfied")
                throw new BackupException(block(blkno) + " (" + run.path() + ") read at " + Lsn.format(lsn)
                        + " carries page LSN " + Lsn.format(pageLsn) + ", which is after the backup LSN: the "
                        + "stored page is newer than the LSN it was read at");
            }
            System.arraycopy(page, 0, buf, off, ControlFile.BLCKSZ);
            if (checksums) {
                PageChecksum.set(buf, off, blkno);
            }
        }

        /** Built only for an error message, so that a page read makes no garbage of its own. */
        private String block(int blkno) {
            return "block " + Integer.toUnsignedString(blkno) + " of " + run.source();
        }
    }
}

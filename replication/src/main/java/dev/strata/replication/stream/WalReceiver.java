package dev.strata.replication.stream;

import dev.strata.storage.pg.Lsn;
import dev.strata.storage.wal.DecodedRecord;
import dev.strata.storage.wal.WalStreamDecoder;

import java.io.IOException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The thread that reads the replication stream: it blocks for XLogData, reads its WAL from the socket straight into
 * the decoder's buffer, decodes it into records (reassembly, CRC and header checks) and hands them in WAL order
 * through a bounded queue to the ingest thread. Decoding here rather than on the ingest thread lets the two halves
 * of ingest run on two cores; blocking on the socket (rather than polling it) costs nothing while the primary is
 * quiet.
 *
 * <p>A decoding error, or the end of the WAL inside the stream, ends the thread with that {@link #failure()}; the
 * records decoded before it are queued first, so the ingest thread ingests them and then sees the failure. The end
 * of the connection ends it likewise.
 *
 * <p>Status: the flushed and applied positions sent are the timeline's durable LSN, the written one the position
 * received. A status goes out when a keepalive asks for one (from this thread), whenever {@link #statusIfDue} finds
 * the interval passed (the ingest thread calls it between batches and while idle), and while the queue is full
 * (ingest busy with a flush) from this thread's wait for room, so the primary never waits longer than the
 * interval, which is well below {@code wal_sender_timeout}.
 */
final class WalReceiver implements Runnable {
    private final ReplicationStream stream;
    private final BlockingQueue<RecordBatch> queue;
    private final WalStreamDecoder decoder;
    private final LongSupplier durableLsn;
    private final long statusIntervalNanos;
    private volatile boolean stopped;
    private volatile Throwable failure;
    private volatile long lastStatus = System.nanoTime();
    private long expectedLsn;

    WalReceiver(ReplicationStream stream, BlockingQueue<RecordBatch> queue, WalStreamDecoder decoder, long startLsn,
                LongSupplier durableLsn, Duration statusInterval) {
        this.stream = stream;
        this.queue = queue;
        this.decoder = decoder;
        this.expectedLsn = startLsn;
        this.durableLsn = durableLsn;
        this.statusIntervalNanos = statusInterval.toNanos();
    }

    /** The end of the WAL received so far. */
    long receivedLsn() {
        return stream.receivedLsn();
    }

    /** Why the thread ended, or null while it runs (or after a requested stop). */
    Throwable failure() {
        return failure;
    }

    /** Stops the thread: closes the stream, which ends a blocked read. */
    void stop() {
        stopped = true;
        stream.close();
    }

    @Override
    public void run() {
        try {
            sendStatus();
            while (!stopped) {
                long end = stream.read(durableLsn, this::feed);
                decodeAndEnqueue(end);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | SQLException | RuntimeException e) {
            if (!stopped) {
                failure = e;
            }
        } finally {
            stream.close();
        }
    }

    /** Reads one message's WAL from the socket straight into the decoder's buffer. */
    private void feed(long startLsn, java.io.DataInput in, int length) throws IOException {
        if (startLsn != expectedLsn) {
            throw new IllegalStateException("the primary sent WAL from " + Lsn.format(startLsn) + " but "
                    + Lsn.format(expectedLsn) + " was expected next");
        }
        decoder.feed(in, length);
        expectedLsn = startLsn + length;
    }

    /** Decodes the bytes fed; queues the records completed, then fails if the WAL ended inside the stream. */
    private void decodeAndEnqueue(long endLsn) throws InterruptedException, IOException, SQLException {
        List<DecodedRecord> records = new ArrayList<>();
        RuntimeException bad = null;
        try {
            DecodedRecord rec;
            while ((rec = decoder.next()) != null) {
                records.add(rec);
            }
        } catch (RuntimeException e) {
            bad = e;
        }
        if (!records.isEmpty()) {
            enqueue(new RecordBatch(records, endLsn));
        }
        if (bad != null) {
            throw bad;
        }
        if (decoder.endOfWal()) {
            throw new SQLException("the stream ended inside the WAL: " + decoder.endOfWalReason(), "08006");
        }
        statusIfDue();
    }

    /** Sends a status when the interval has passed since the last one; safe from any thread. */
    void statusIfDue() throws IOException {
        if (System.nanoTime() - lastStatus >= statusIntervalNanos) {
            sendStatus();
        }
    }

    private void sendStatus() throws IOException {
        lastStatus = System.nanoTime();
        stream.sendStatus(durableLsn.getAsLong());
    }

    private void enqueue(RecordBatch chunk) throws InterruptedException, IOException {
        while (!queue.offer(chunk, 100, TimeUnit.MILLISECONDS)) {
            if (stopped) {
                return;
            }
            statusIfDue();
        }
    }
}

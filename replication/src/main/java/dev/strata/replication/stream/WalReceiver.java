package dev.strata.replication.stream;

import dev.strata.storage.pg.Lsn;
import dev.strata.storage.wal.DecodedRecord;
import dev.strata.storage.wal.WalStreamDecoder;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The thread that owns the pgjdbc replication stream (pgjdbc's stream must be used from one thread): it reads
 * XLogData, decodes it into records (reassembly, CRC and header checks) and hands them in WAL order through a
 * bounded queue to the ingest thread, and keeps the standby status current. Decoding here rather than on the
 * ingest thread lets the two halves of ingest run on two cores.
 *
 * <p>A decoding error, or the end of the WAL inside the stream, ends the thread with that {@link #failure()}; the
 * records decoded before it are queued first, so the ingest thread ingests them and then sees the failure.
 *
 * <p>Status: before every read the flush and apply positions are set to the timeline's durable LSN; pgjdbc sends
 * them at the status interval and whenever a keepalive asks for a reply (write = the position received). While
 * the queue is full (ingest busy with a flush or compaction) the thread keeps polling the queue with a short
 * timeout and sends a status itself when one is due, so the primary never waits longer than the interval, which is
 * well below {@code wal_sender_timeout}.
 */
final class WalReceiver implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(WalReceiver.class);
    private static final long IDLE_SLEEP_MILLIS = 2;
    /**
     * Right after data, the next message is usually on its way (the primary is sending a backlog): the thread then
     * waits this long instead of {@link #IDLE_SLEEP_MILLIS}, so that catching up does not stall on sleeps, which
     * last far longer than asked on a busy machine.
     */
    private static final long BUSY_PARK_NANOS = 50_000;
    private static final long BUSY_WINDOW_NANOS = 20_000_000;
    /**
     * pgjdbc's non-blocking read never reports the end of the stream, so while idle a status asking for a reply is
     * written this often: on a connection the server closed, the second write fails, which ends the stream.
     */
    private static final long IDLE_PING_NANOS = 1_000_000_000L;

    private final PGReplicationStream stream;
    private final BlockingQueue<RecordBatch> queue;
    private final WalStreamDecoder decoder;
    private final LongSupplier durableLsn;
    private final long statusIntervalNanos;
    private volatile boolean stopped;
    private volatile Throwable failure;
    private volatile long receivedLsn;
    private long expectedLsn;
    private long reportedDurable = -1;
    private long lastForcedStatus = System.nanoTime();
    private long lastData = System.nanoTime();

    WalReceiver(PGReplicationStream stream, BlockingQueue<RecordBatch> queue, WalStreamDecoder decoder, long startLsn,
                LongSupplier durableLsn, Duration statusInterval) {
        this.stream = stream;
        this.queue = queue;
        this.decoder = decoder;
        this.expectedLsn = startLsn;
        this.receivedLsn = startLsn;
        this.durableLsn = durableLsn;
        this.statusIntervalNanos = statusInterval.toNanos();
    }

    /** The end of the WAL received so far. */
    long receivedLsn() {
        return receivedLsn;
    }

    /** Why the thread ended, or null while it runs (or after a requested stop). */
    Throwable failure() {
        return failure;
    }

    void stop() {
        stopped = true;
    }

    @Override
    public void run() {
        try {
            while (!stopped) {
                updateDurable();
                ByteBuffer buf = stream.readPending();
                if (buf == null) {
                    pingIfIdle();
                    idleWait();
                    continue;
                }
                lastData = System.nanoTime();
                long end = stream.getLastReceiveLSN().asLong();
                long start = end - buf.remaining();
                if (start != expectedLsn) {
                    throw new IllegalStateException("the primary sent WAL from " + Lsn.format(start) + " but "
                            + Lsn.format(expectedLsn) + " was expected next");
                }
                expectedLsn = end;
                receivedLsn = end;
                decodeAndEnqueue(buf, end);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (SQLException | RuntimeException e) {
            if (!stopped) {
                failure = e;
            }
        } finally {
            try {
                stream.close();
            } catch (SQLException | RuntimeException e) {
                LOG.debug("closing the replication stream: {}", e.toString());
            }
        }
    }

    /** Decodes the message's bytes; queues the records completed, then fails if the WAL ended inside the stream. */
    private void decodeAndEnqueue(ByteBuffer buf, long end) throws InterruptedException, SQLException {
        decoder.feed(buf);
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
            enqueue(new RecordBatch(records, end));
        }
        if (bad != null) {
            throw bad;
        }
        if (decoder.endOfWal()) {
            throw new SQLException("the stream ended inside the WAL: " + decoder.endOfWalReason(), "08006");
        }
    }

    private void updateDurable() {
        long d = durableLsn.getAsLong();
        if (d != reportedDurable && d != Lsn.INVALID) {
            LogSequenceNumber l = LogSequenceNumber.valueOf(d);
            stream.setFlushedLSN(l);
            stream.setAppliedLSN(l);
            reportedDurable = d;
        }
    }

    private void idleWait() throws InterruptedException {
        if (System.nanoTime() - lastData < BUSY_WINDOW_NANOS) {
            java.util.concurrent.locks.LockSupport.parkNanos(BUSY_PARK_NANOS);
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        } else {
            Thread.sleep(IDLE_SLEEP_MILLIS);
        }
    }

    private void pingIfIdle() throws SQLException {
        long now = System.nanoTime();
        if (now - lastData >= IDLE_PING_NANOS && now - lastForcedStatus >= IDLE_PING_NANOS) {
            updateDurable();
            stream.forceUpdateStatus();
            lastForcedStatus = now;
        }
    }

    private void enqueue(RecordBatch chunk) throws InterruptedException, SQLException {
        while (!queue.offer(chunk, 100, TimeUnit.MILLISECONDS)) {
            if (stopped) {
                return;
            }
            long now = System.nanoTime();
            if (now - lastForcedStatus >= statusIntervalNanos) {
                updateDurable();
                stream.forceUpdateStatus();
                lastForcedStatus = now;
            }
        }
    }
}

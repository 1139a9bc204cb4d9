package dev.strata.replication.stream;

import dev.strata.replication.ingest.WalIngest;
import dev.strata.storage.pg.Lsn;
import dev.strata.storage.timeline.Timeline;
import dev.strata.storage.timeline.TimelineState;
import dev.strata.storage.wal.DecodedRecord;
import dev.strata.storage.wal.WalStreamDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Keeps one timeline fed from its primary: connects, streams from the timeline's last record LSN, ingests, and on
 * any transient failure (primary restart, cut connection, stalled stream) reconnects with backoff and resumes from
 * the last record committed, by itself. Permanent failures (see {@link Failures}) put the timeline into the
 * broken state with an actionable reason.
 *
 * <pre>
 *   STARTING ──connect──▶ CATCHING_UP ──reached the primary's position──▶ STREAMING
 *       ▲                      │                                            │
 *       └──backoff── RECONNECTING ◀──────────── transient failure ──────────┘
 *   any state ──permanent failure──▶ BROKEN          close() ──▶ STOPPED
 * </pre>
 *
 * Two threads: this one (connection handling and ingest, the timeline's only writer) and a {@link WalReceiver}
 * that reads the replication stream (on the project's own wire client) and decodes the WAL into records.
 */
public final class TimelineStreamer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TimelineStreamer.class);
    /**
     * Batches in flight between the receiver and the ingest thread (each at most one XLogData message, 128 KiB):
     * enough to keep both threads busy, and few enough that the records queued, which are live at every young
     * garbage collection and so copied by it, stay a few MiB.
     */
    private static final int QUEUE_BATCHES = 16;
    private static final long INITIAL_BACKOFF_MS = 500;
    private static final long MAX_BACKOFF_MS = 15_000;
    private static final long PROBE_INTERVAL_NANOS = 5_000_000_000L;
    private static final long STALL_NANOS = 30_000_000_000L;

    /** Where the streamer is; see the class diagram. */
    public enum State { STARTING, CATCHING_UP, STREAMING, RECONNECTING, BROKEN, STOPPED }

    private final Timeline timeline;
    private final WalSource source;
    private final WalIngest ingest;
    private final long noPrevCheckAt;
    private final IngestCounters counters = new IngestCounters();
    private final Thread thread;
    private volatile State state = State.STARTING;
    private volatile boolean closed;
    private final java.util.concurrent.CountDownLatch closing = new java.util.concurrent.CountDownLatch(1);
    private volatile WalReceiver receiver;
    private long catchUpTarget;
    private volatile long consistentLsn = Lsn.INVALID;
    private volatile Runnable onConsistent;

    /**
     * @param ingest        the timeline's record ingest (the timeline's only writer while this runs)
     * @param noPrevCheckAt the LSN at which the first record's xl_prev cannot be checked (the import's start: the
     *                      timeline does not know the record before it)
     */
    public TimelineStreamer(Timeline timeline, WalSource source, WalIngest ingest, long noPrevCheckAt) {
        this.timeline = timeline;
        this.source = source;
        this.ingest = ingest;
        this.noPrevCheckAt = noPrevCheckAt;
        this.thread = new Thread(this::run, "ingest-" + timeline.timelineId());
        this.thread.setDaemon(true);
    }

    /** Runs {@code action} once, on the ingest thread, when the last record LSN reaches {@code lsn}. */
    public void whenReached(long lsn, Runnable action) {
        this.onConsistent = action;
        this.consistentLsn = lsn;
    }

    public void start() {
        thread.start();
    }

    public State state() {
        return state;
    }

    public IngestCounters counters() {
        WalReceiver r = receiver;
        if (r != null) {
            counters.receivedLsn = r.receivedLsn();
        }
        return counters;
    }

    public Timeline timeline() {
        return timeline;
    }

    public WalSource source() {
        return source;
    }

    private void run() {
        long backoff = INITIAL_BACKOFF_MS;
        try (PrimaryProbe probe = new PrimaryProbe(source.conninfo())) {
            while (!closed) {
                long before = timeline.lastRecordLsn();
                try {
                    streamOnce(probe);
                } catch (PermanentFailure e) {
                    broken(e.getMessage());
                    return;
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    PermanentFailure p = Failures.classify(e, source.slot(), timeline.lastRecordLsn());
                    if (p != null) {
                        broken(p.getMessage());
                        return;
                    }
                    if (closed) {
                        return;
                    }
                    backoff = timeline.lastRecordLsn() != before ? INITIAL_BACKOFF_MS : backoff;
                    retryLater(e, backoff);
                    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
                }
            }
        } finally {
            if (state != State.BROKEN) {
                state = State.STOPPED;
            }
        }
    }

    private void retryLater(Exception e, long backoffMs) {
        state = State.RECONNECTING;
        counters.lastError = e.getMessage() == null ? e.toString() : e.getMessage();
        LOG.warn("timeline {}: WAL stream from {} interrupted at {}: {}; reconnecting in {} ms",
                timeline.timelineId(), source.conninfo().host() + ":" + source.conninfo().port(),
                Lsn.format(timeline.lastRecordLsn()), counters.lastError, backoffMs);
        try {
            closing.await(backoffMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    private void broken(String reason) {
        counters.lastError = reason;
        state = State.BROKEN;
        LOG.error("timeline {} is broken: {}", timeline.timelineId(), reason);
        if (timeline.state() != TimelineState.BROKEN) {
            timeline.setBroken(reason);
        }
    }

    private void streamOnce(PrimaryProbe probe) throws Exception {
        try (PrimaryConnection pc = PrimaryConnection.open(source.conninfo())) {
            SystemInfo si = pc.identify();
            checkSameCluster(si);
            counters.setPrimaryFlushLsn(si.flushLsn());
            catchUpTarget = si.flushLsn();
            long start = timeline.lastRecordLsn();
            WalStreamDecoder decoder = new WalStreamDecoder(start, si.segmentSize()).expectSystemId(source.systemId());
            if (start != noPrevCheckAt && timeline.prevRecordLsn() != Lsn.INVALID) {
                decoder.expectPrev(timeline.prevRecordLsn());
            }
            Duration interval = statusInterval(si.senderTimeoutMillis());
            ReplicationStream stream = pc.startStreaming(source.slot(), start);
            BlockingQueue<RecordBatch> queue = new ArrayBlockingQueue<>(QUEUE_BATCHES);
            WalReceiver r = new WalReceiver(stream, queue, decoder, start, this::durableLsn, interval);
            Thread rt = new Thread(r, "wal-receiver-" + timeline.timelineId());
            rt.setDaemon(true);
            receiver = r;
            rt.start();
            LOG.info("timeline {}: streaming from {} slot {} at {} (primary at {})", timeline.timelineId(),
                    source.conninfo().host() + ":" + source.conninfo().port(), source.slot(), Lsn.format(start),
                    Lsn.format(si.flushLsn()));
            try {
                ingestLoop(queue, r, rt, probe);
            } finally {
                r.stop();
                rt.join(10_000);
            }
        }
    }

    private long durableLsn() {
        long d = timeline.diskConsistentLsn();
        counters.reportedFlushLsn = d;
        return d;
    }

    /** Status at least six times per wal_sender_timeout, at most every 2 s. */
    static Duration statusInterval(long senderTimeoutMillis) {
        long ms = senderTimeoutMillis <= 0 ? 2000 : Math.max(100, Math.min(2000, senderTimeoutMillis / 6));
        return Duration.ofMillis(ms);
    }

    private void checkSameCluster(SystemInfo si) throws PermanentFailure {
        if (si.systemId() != source.systemId()) {
            throw new PermanentFailure("the server at " + source.conninfo().host() + ":" + source.conninfo().port()
                    + " is a different PostgreSQL cluster (system identifier " + Long.toUnsignedString(si.systemId())
                    + ", this timeline was imported from " + Long.toUnsignedString(source.systemId())
                    + "). Point the timeline back at its primary, or create a new timeline from this server");
        }
        if (si.timeline() != source.pgTimeline()) {
            throw new PermanentFailure("the primary is now on PostgreSQL timeline " + si.timeline()
                    + " (it was promoted or restored) while this timeline follows timeline " + source.pgTimeline()
                    + " up to " + Lsn.format(timeline.lastRecordLsn()) + ". Strata does not follow timeline "
                    + "switches: create a new timeline from the primary");
        }
    }

    private void ingestLoop(BlockingQueue<RecordBatch> queue, WalReceiver r, Thread rt, PrimaryProbe probe)
            throws Exception {
        long lastData = System.nanoTime();
        long lastProbe = System.nanoTime();
        state = timeline.lastRecordLsn() >= catchUpTarget ? State.STREAMING : State.CATCHING_UP;
        while (!closed) {
            RecordBatch c = queue.poll(100, TimeUnit.MILLISECONDS);
            long now = System.nanoTime();
            if (c == null) {
                if (r.failure() != null) {
                    throw asException(r.failure());
                }
                if (!rt.isAlive()) {
                    throw new IllegalStateException("the WAL receiver thread ended");
                }
            } else {
                lastData = now;
                ingestBatch(c);
                afterBatch();
            }
            try {
                r.statusIfDue();
            } catch (java.io.IOException e) {
                // the connection broke: the receiver's read fails too and reports why (or the stall check does)
            }
            if (now - lastProbe > PROBE_INTERVAL_NANOS) {
                lastProbe = now;
                long primary = probe.flushLsn();
                counters.setPrimaryFlushLsn(primary);
                boolean behind = primary == Lsn.INVALID || counters.primaryFlushLsn > r.receivedLsn();
                if (behind && now - lastData > STALL_NANOS) {
                    throw new SQLException("no WAL received for " + STALL_NANOS / 1_000_000_000L + " s while the "
                            + "primary is " + (primary == Lsn.INVALID ? "unreachable" : "at " + Lsn.format(primary))
                            + " and Strata received up to " + Lsn.format(r.receivedLsn())
                            + ": the connection is stalled", "08006");
                }
            }
        }
    }

    /** Ingests a batch as one writer batch; the counters, volatile, are written once per batch. */
    private void ingestBatch(RecordBatch c) {
        long[] done = new long[2];
        try {
            timeline.writer().batch(() -> {
                for (DecodedRecord rec : c.records()) {
                    if (closed) {
                        return;
                    }
                    ingest.ingest(rec);
                    done[0]++;
                    done[1] += rec.endLsn() - rec.lsn();
                }
            });
        } finally {
            counters.records += done[0];
            counters.walBytes += done[1];
        }
    }

    /** Per-batch follow-ups: the action at the consistent point, the end of catching up. */
    private void afterBatch() {
        Runnable action = onConsistent;
        if (action != null && timeline.lastRecordLsn() >= consistentLsn) {
            onConsistent = null;
            action.run();
        }
        if (state == State.CATCHING_UP && timeline.lastRecordLsn() >= catchUpTarget) {
            state = State.STREAMING;
            LOG.info("timeline {}: caught up with the primary at {}", timeline.timelineId(),
                    Lsn.format(timeline.lastRecordLsn()));
        }
    }

    private static Exception asException(Throwable t) {
        return t instanceof Exception e ? e : new RuntimeException(t);
    }

    /** Stops streaming (after the record being ingested) and waits for the threads. */
    @Override
    public void close() {
        closed = true;
        closing.countDown();
        WalReceiver r = receiver;
        if (r != null) {
            r.stop();
        }
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

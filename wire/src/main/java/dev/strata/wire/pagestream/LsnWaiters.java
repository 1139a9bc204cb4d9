package dev.strata.wire.pagestream;

import dev.strata.storage.pg.Lsn;
import dev.strata.storage.timeline.Timeline;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * Waits for timelines to reach LSNs without holding a thread per waiting request: all waiters of one timeline
 * share one thread, which blocks in {@link Timeline#waitForLsn} for the lowest LSN anyone waits for, then completes
 * every waiter the timeline has reached and times out the ones past their deadline. So a thousand page requests
 * waiting for WAL cost one thread per timeline, and the page-read threads stay free for other clients.
 */
public final class LsnWaiters implements AutoCloseable {
    /** Longest single block in waitForLsn, so deadlines and newly added lower LSNs are looked at promptly. */
    private static final long MAX_SLICE_NANOS = 200_000_000L;

    private final ExecutorService threads;
    private final ConcurrentHashMap<String, TimelineWaiters> byTimeline = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public LsnWaiters(ExecutorService threads) {
        this.threads = threads;
    }

    /**
     * Completes when {@code timeline.lastRecordLsn() >= lsn}, or exceptionally with a {@link TimeoutException}
     * (naming the LSNs) after {@code timeout}.
     */
    public CompletableFuture<Void> await(Timeline timeline, long lsn, Duration timeout) {
        if (Long.compareUnsigned(timeline.lastRecordLsn(), lsn) >= 0) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> f = new CompletableFuture<>();
        if (closed) {
            f.completeExceptionally(new IllegalStateException("the server is shutting down"));
            return f;
        }
        String id = timeline.tenantId() + "/" + timeline.timelineId();
        byTimeline.computeIfAbsent(id, k -> new TimelineWaiters(timeline))
                .add(new Waiter(lsn, System.nanoTime() + timeout.toNanos(), timeout, f));
        return f;
    }

    @Override
    public void close() {
        closed = true;
        byTimeline.values().forEach(w -> w.failAll(new IllegalStateException("the server is shutting down")));
    }

    private record Waiter(long lsn, long deadline, Duration timeout, CompletableFuture<Void> future) {
    }

    private final class TimelineWaiters implements Runnable {
        private final Timeline timeline;
        private final PriorityQueue<Waiter> queue = new PriorityQueue<>((a, b) -> Long.compareUnsigned(a.lsn, b.lsn));
        private boolean running;

        TimelineWaiters(Timeline timeline) {
            this.timeline = timeline;
        }

        void add(Waiter w) {
            synchronized (this) {
                queue.add(w);
                if (running) {
                    return;
                }
                running = true;
            }
            try {
                threads.execute(this);
            } catch (RejectedExecutionException e) {
                synchronized (this) {
                    running = false;
                }
                failAll(new IllegalStateException("the server is shutting down"));
            }
        }

        @Override
        public void run() {
            try {
                while (true) {
                    long target;
                    long sliceNanos;
                    synchronized (this) {
                        if (queue.isEmpty() || closed) {
                            running = false;
                            return;
                        }
                        target = queue.peek().lsn;
                        sliceNanos = Math.min(MAX_SLICE_NANOS, Math.max(1_000_000L, earliestDeadline() - System.nanoTime()));
                    }
                    try {
                        timeline.waitForLsn(target, Duration.ofNanos(sliceNanos));
                    } catch (TimeoutException expectedWhileWaiting) {
                        // the slice ended; deadlines are checked below
                    }
                    settle();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop(new IllegalStateException("the server is shutting down"));
            } catch (RuntimeException e) {
                stop(e);
            }
        }

        private void stop(Exception cause) {
            synchronized (this) {
                running = false;
            }
            failAll(cause);
        }

        private long earliestDeadline() {
            long min = Long.MAX_VALUE;
            for (Waiter w : queue) {
                min = Math.min(min, w.deadline);
            }
            return min;
        }

        private void settle() {
            long last = timeline.lastRecordLsn();
            long now = System.nanoTime();
            List<Waiter> reached = new ArrayList<>();
            List<Waiter> expired = new ArrayList<>();
            synchronized (this) {
                while (!queue.isEmpty() && Long.compareUnsigned(queue.peek().lsn, last) <= 0) {
                    reached.add(queue.poll());
                }
                for (Iterator<Waiter> it = queue.iterator(); it.hasNext(); ) {
                    Waiter w = it.next();
                    if (now - w.deadline >= 0) {
                        it.remove();
                        expired.add(w);
                    }
                }
            }
            reached.forEach(w -> w.future.complete(null));
            for (Waiter w : expired) {
                w.future.completeExceptionally(new TimeoutException("timed out after " + w.timeout.toSeconds()
                        + " s waiting for WAL at LSN " + Lsn.format(w.lsn) + " to arrive on timeline "
                        + timeline.timelineId() + ": last_record_lsn " + Lsn.format(timeline.lastRecordLsn())
                        + ", disk_consistent_lsn " + Lsn.format(timeline.diskConsistentLsn())
                        + "; check that the timeline streams from its primary ('timeline detail')"));
            }
        }

        void failAll(Exception cause) {
            List<Waiter> all;
            synchronized (this) {
                all = new ArrayList<>(queue);
                queue.clear();
            }
            all.forEach(w -> w.future.completeExceptionally(cause));
        }
    }
}

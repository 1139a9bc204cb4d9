package dev.strata.wire.pagestream;

import dev.strata.storage.pgdata.DatadirView;
import dev.strata.storage.timeline.Timeline;
import dev.strata.wire.protocol.FrontendMessage;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.EventExecutor;

import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * One connection's page stream after {@code pagestream_v2|v3}: reads requests ahead, executes up to
 * {@code maxInFlight} of them at once while earlier responses are being written, and writes responses strictly in
 * request order.
 *
 * <pre>
 *  CopyData ──parse──▶ queue (arrival order) ──start (≤ maxInFlight)──▶ inline read | read pool | LSN waiter → pool
 *                         │                                                      │
 *                         └──── head done? write, next ◀──── complete (on the event loop) ◀┘
 * </pre>
 *
 * Memory per connection is bounded: at most {@code maxQueued} parsed requests (reading pauses beyond that) and
 * at most {@code maxInFlight} responses in memory; a client that stops reading stops the executions (channel
 * writability) and then the reading. All state is touched on the connection's event loop only; work on other
 * threads hands its response back through {@link #completeFromAnyThread}. An error in one request is a tag-103
 * response and the stream goes on.
 */
public final class PageStreamSession {
    /** Called on the event loop when the client ended the stream with CopyDone and every response is written. */
    public interface EndListener {
        void streamEnded();
    }

    private static final class Slot {
        final PageRequest request;
        final long startNanos;
        ByteBuf response;
        boolean done;

        Slot(PageRequest request, long startNanos) {
            this.request = request;
            this.startNanos = startNanos;
        }
    }

    private final PageService service;
    private final ChannelHandlerContext ctx;
    private final EventExecutor loop;
    private final PageStreamCodec codec;
    private final String tenantId;
    private final String timelineId;
    private final EndListener endListener;
    private final ArrayDeque<Slot> queue = new ArrayDeque<>();
    private final ArrayDeque<Slot> notStarted = new ArrayDeque<>();
    private final Runnable flushTask = this::flushNow;
    private Timeline timeline;
    private DatadirView view;
    private int inFlight;
    private boolean pumping;
    private boolean needsFlush;
    private boolean flushScheduled;
    private boolean ending;
    private boolean closed;

    public PageStreamSession(PageService service, ChannelHandlerContext ctx, int version, String tenantId,
                             String timelineId, EndListener endListener) {
        this.service = service;
        this.ctx = ctx;
        this.loop = ctx.executor();
        this.codec = new PageStreamCodec(version);
        this.tenantId = tenantId;
        this.timelineId = timelineId;
        this.endListener = endListener;
        service.metrics().sessionOpened();
    }

    /** Handles one frontend message in the stream; takes ownership of it. */
    public void onMessage(FrontendMessage msg) {
        try {
            if (ending) {
                return;
            }
            switch (msg.tag()) {
                case FrontendMessage.COPY_DATA -> onRequest(msg.content());
                case FrontendMessage.COPY_DONE, FrontendMessage.COPY_FAIL -> {
                    ending = true;
                    pump();
                }
                case FrontendMessage.TERMINATE -> ctx.close();
                default -> enqueueDone(codec.error(ctx.alloc(), 0, 0, 0, "unexpected message type "
                        + FrontendMessage.describeTag(msg.tag()) + " in the page stream: send each request as "
                        + "CopyData, end the stream with CopyDone"), -1);
            }
        } finally {
            msg.release();
        }
    }

    /** A frame larger than any request (the framer skipped it): answered with 103, the stream goes on. */
    public void onOversized(long length) {
        if (!ending) {
            enqueueDone(codec.error(ctx.alloc(), 0, 0, 0, "request of " + length + " bytes is longer than any "
                    + "page-service request (" + PageStreamCodec.MAX_REQUEST_LENGTH + " bytes)"), -1);
        }
    }

    private void onRequest(ByteBuf body) {
        long t0 = System.nanoTime();
        PageRequest r;
        try {
            r = codec.parse(body);
        } catch (BadPageRequest e) {
            enqueueDone(codec.error(ctx.alloc(), e.reqId(), e.requestLsn(), e.notModifiedSince(),
                    "invalid request: " + e.getMessage()), -1);
            return;
        }
        Slot s = new Slot(r, t0);
        queue.add(s);
        notStarted.add(s);
        pump();
    }

    /** Adds an already answered slot (parse errors) in order. */
    private void enqueueDone(ByteBuf response, int tag) {
        Slot s = new Slot(null, System.nanoTime());
        s.response = response;
        s.done = true;
        queue.add(s);
        service.metrics().request(tag, false, s.startNanos);
        pump();
    }

    /** Starts what the limits allow and writes what is ready, in order. Re-entrant calls fold into the outer one. */
    private void pump() {
        if (pumping || closed) {
            return;
        }
        pumping = true;
        try {
            boolean progress = true;
            while (progress) {
                progress = false;
                while (!queue.isEmpty() && queue.peekFirst().done) {
                    Slot h = queue.poll();
                    ctx.write(h.response, ctx.voidPromise());
                    h.response = null;
                    needsFlush = true;
                }
                if (!notStarted.isEmpty() && inFlight < service.maxInFlight() && ctx.channel().isWritable()) {
                    Slot s = notStarted.poll();
                    inFlight++;
                    start(s);
                    progress = true;
                }
            }
            if (ending && queue.isEmpty()) {
                flushNow();
                endListener.streamEnded();
                return;
            }
            updateAutoRead();
        } finally {
            pumping = false;
        }
    }

    private void start(Slot s) {
        PageRequest r = s.request;
        if (timeline == null && !resolve()) {
            complete(s, codec.error(ctx.alloc(), r, missingTimelineMessage()));
            return;
        }
        long lsn;
        try {
            lsn = PageReader.effectiveLsn(r, timeline);
        } catch (PageReader.Refused e) {
            complete(s, codec.error(ctx.alloc(), r, e.getMessage()));
            return;
        }
        if (Long.compareUnsigned(lsn, timeline.lastRecordLsn()) > 0) {
            long waitStart = System.nanoTime();
            service.waiters().await(timeline, lsn, service.waitLsnTimeout()).whenComplete((v, err) -> {
                service.metrics().waited(System.nanoTime() - waitStart);
                if (err != null) {
                    String why = err instanceof TimeoutException ? err.getMessage() : "waiting for WAL at the "
                            + "requested LSN failed: " + err.getMessage();
                    completeFromAnyThread(s, codec.error(ctx.alloc(), r, why));
                } else {
                    submitRead(s, lsn);
                }
            });
        } else if (service.inlineReads() && queue.peekFirst() == s && inFlight == 1) {
            // Nothing of this connection is ahead or running: answering here saves two thread hand-offs, which
            // dominate a page read that hits the cache.
            complete(s, PageReader.execute(codec, ctx.alloc(), r, view, lsn));
        } else {
            submitRead(s, lsn);
        }
    }

    private void submitRead(Slot s, long lsn) {
        try {
            service.readPool().execute(() ->
                    completeFromAnyThread(s, PageReader.execute(codec, ctx.alloc(), s.request, view, lsn)));
        } catch (RejectedExecutionException e) {
            completeFromAnyThread(s, codec.error(ctx.alloc(), s.request, "the server is shutting down"));
        }
    }

    private boolean resolve() {
        Timeline tl = service.findTimeline(tenantId, timelineId);
        if (tl == null) {
            return false;
        }
        view = service.view(tl);
        timeline = tl;
        return true;
    }

    private String missingTimelineMessage() {
        if (service.findTenant(tenantId) == null) {
            return "tenant " + tenantId + " not found on this server: 'tenant list' shows the tenants here";
        }
        return "timeline " + timelineId + " not found in tenant " + tenantId + ": 'timeline list " + tenantId
                + "' shows its timelines";
    }

    /** Hands a response computed on another thread (or in a callback) back to the event loop, always as a task. */
    private void completeFromAnyThread(Slot s, ByteBuf response) {
        try {
            loop.execute(() -> {
                complete(s, response);
                scheduleFlush();
            });
        } catch (RejectedExecutionException e) {
            response.release();
        }
    }

    private void complete(Slot s, ByteBuf response) {
        inFlight--;
        if (closed) {
            response.release();
            return;
        }
        s.response = response;
        s.done = true;
        boolean ok = response.getUnsignedByte(5) != PageStreamCodec.ERROR_RESPONSE;
        service.metrics().request(s.request.tag(), ok, s.startNanos);
        pump();
    }

    private void scheduleFlush() {
        if (needsFlush && !flushScheduled) {
            flushScheduled = true;
            loop.execute(flushTask);
        }
    }

    /** Flushes written responses; the connection calls it at the end of each read batch. */
    public void flushNow() {
        flushScheduled = false;
        if (needsFlush) {
            needsFlush = false;
            ctx.flush();
        }
    }

    /** The channel became writable again: resume executions. */
    public void writabilityChanged() {
        if (ctx.channel().isWritable()) {
            pump();
            // this runs inside the flush that drained the buffer, where a nested flush would be ignored
            scheduleFlush();
        } else {
            updateAutoRead();
        }
    }

    private void updateAutoRead() {
        boolean read = queue.size() < service.maxQueued() && ctx.channel().isWritable();
        if (ctx.channel().config().isAutoRead() != read) {
            ctx.channel().config().setAutoRead(read);
        }
    }

    /** The connection closed: drop everything still queued; late results are released as they arrive. */
    public void close() {
        closed = true;
        for (Slot s : queue) {
            if (s.response != null) {
                s.response.release();
                s.response = null;
            }
        }
        queue.clear();
        notStarted.clear();
    }

    /** Requests parsed and not yet answered (for tests and metrics). */
    public int queued() {
        return queue.size();
    }
}

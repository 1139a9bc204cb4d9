package dev.strata.wire.walsender;

import dev.strata.storage.pg.Lsn;
import dev.strata.wire.BackupSource;
import dev.strata.wire.protocol.BackendMessages;
import dev.strata.wire.protocol.FrontendMessage;
import dev.strata.wire.protocol.PgException;
import dev.strata.wire.protocol.SqlState;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;

import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * {@code START_REPLICATION} on a replication connection: streams the synthetic WAL segment of a backup (what
 * {@code pg_basebackup -X stream} needs) from the requested position to the end of its checkpoint record, then
 * idles with keepalives until the client ends the stream.
 *
 * <pre>
 * CopyBothResponse
 * CopyData 'w' Int64 dataStart, Int64 walEnd, Int64 sendTime (µs since 2000-01-01), WAL bytes   ≤ 128 KiB each,
 *                                                                                                 page-aligned
 * CopyData 'k' Int64 walEnd, Int64 sendTime, Byte1 replyRequested                               every 10 s idle
 * client: CopyData 'r' / 'h' (status, ignored), CopyDone to finish
 * server: CopyDone, CommandComplete "START_STREAMING", CommandComplete "START_REPLICATION" (then ReadyForQuery)
 * </pre>
 *
 * Runs on the event loop; sends only while the channel is writable.
 */
public final class WalStreamSession {
    static final int MAX_CHUNK = 128 * 1024;
    private static final long PG_EPOCH_OFFSET_MICROS = 946_684_800_000_000L;

    /** Called when the client ended the stream and the closing messages are written. */
    public interface EndListener {
        void streamEnded();
    }

    private final ChannelHandlerContext ctx;
    private final BackupSource.WalSegment segment;
    private final EndListener endListener;
    private long position;
    private ScheduledFuture<?> keepalive;
    private boolean ended;

    /** Validates the request; throws a PgException (sent before CopyBoth) when the position cannot be served. */
    public WalStreamSession(ChannelHandlerContext ctx, BackupSource.WalSegment segment, long start, Integer tli,
                            EndListener endListener) {
        if (tli != null && tli != segment.timelineId()) {
            throw new PgException(SqlState.UNDEFINED_FILE, "requested timeline " + tli + " is not in this server's "
                    + "history: backups from Strata are on timeline " + segment.timelineId());
        }
        if (Long.compareUnsigned(start, segment.segmentStart()) < 0) {
            throw new PgException(SqlState.UNDEFINED_FILE, "requested WAL segment for " + Lsn.format(start)
                    + " has already been removed: Strata serves only the segment of a backup's checkpoint, "
                    + segment.fileName() + " (from " + Lsn.format(segment.segmentStart()) + ")");
        }
        if (Long.compareUnsigned(start, segment.endLsn()) > 0) {
            throw new PgException(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE, "requested starting point "
                    + Lsn.format(start) + " is ahead of the WAL flush position of this server "
                    + Lsn.format(segment.endLsn()));
        }
        this.ctx = ctx;
        this.segment = segment;
        this.position = start;
        this.endListener = endListener;
    }

    /** Sends CopyBothResponse and starts streaming. */
    public void start() {
        ByteBuf b = ctx.alloc().buffer(8);
        BackendMessages.copyResponse(b, 'W');
        ctx.write(b, ctx.voidPromise());
        keepalive = ctx.executor().scheduleAtFixedRate(this::sendKeepalive, 10, 10, TimeUnit.SECONDS);
        pump();
    }

    /** Sends WAL while the channel takes it. */
    public void pump() {
        while (!ended && Long.compareUnsigned(position, segment.endLsn()) < 0 && ctx.channel().isWritable()) {
            long end = Math.min(segment.endLsn(), position + MAX_CHUNK);
            if (end < segment.endLsn()) {
                end -= end % 8192;
            }
            int len = (int) (end - position);
            byte[] wal = new byte[len];
            segment.read(position, wal, 0, len);
            ByteBuf header = ctx.alloc().buffer(30);
            BackendMessages.copyDataHeader(header, 25 + len);
            header.writeByte('w').writeLong(position).writeLong(segment.endLsn()).writeLong(now());
            ctx.write(header, ctx.voidPromise());
            ctx.write(Unpooled.wrappedBuffer(wal), ctx.voidPromise());
            position = end;
        }
        // may run inside the flush that made the channel writable, where a nested flush would be ignored
        ctx.executor().execute(ctx::flush);
    }

    private void sendKeepalive() {
        if (ended || !ctx.channel().isActive()) {
            return;
        }
        ByteBuf b = ctx.alloc().buffer(24);
        BackendMessages.copyDataHeader(b, 18);
        b.writeByte('k').writeLong(position).writeLong(now()).writeByte(0);
        ctx.writeAndFlush(b, ctx.voidPromise());
    }

    /** Handles a client message in the stream; takes ownership. */
    public void onMessage(FrontendMessage msg) {
        try {
            switch (msg.tag()) {
                case FrontendMessage.COPY_DATA -> {
                    // standby status ('r') and hot standby feedback ('h'): nothing to do for a synthetic segment
                }
                case FrontendMessage.COPY_DONE -> end();
                case FrontendMessage.TERMINATE -> ctx.close();
                default -> {
                    close();
                    ByteBuf b = ctx.alloc().buffer(128);
                    BackendMessages.errorResponse(b, "FATAL", SqlState.PROTOCOL_VIOLATION, "unexpected message type "
                            + FrontendMessage.describeTag(msg.tag()) + " during WAL streaming", null);
                    ctx.writeAndFlush(b).addListener(f -> ctx.close());
                }
            }
        } finally {
            msg.release();
        }
    }

    private void end() {
        if (ended) {
            return;
        }
        close();
        ByteBuf b = ctx.alloc().buffer(64);
        BackendMessages.copyDone(b);
        BackendMessages.commandComplete(b, "START_STREAMING");
        BackendMessages.commandComplete(b, "START_REPLICATION");
        ctx.write(b, ctx.voidPromise());
        endListener.streamEnded();
    }

    /** Stops the keepalives (connection closed or stream ended). */
    public void close() {
        ended = true;
        if (keepalive != null) {
            keepalive.cancel(false);
        }
    }

    /** Microseconds since 2000-01-01, the replication protocol's clock. */
    static long now() {
        Instant i = Instant.now();
        return i.getEpochSecond() * 1_000_000L + i.getNano() / 1000 - PG_EPOCH_OFFSET_MICROS;
    }
}

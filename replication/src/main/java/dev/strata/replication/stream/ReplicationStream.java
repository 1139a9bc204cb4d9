package dev.strata.replication.stream;

import dev.strata.replication.pgwire.BackendMessage;
import dev.strata.replication.pgwire.FrontendMessages;
import dev.strata.replication.pgwire.MessageReader;
import dev.strata.replication.pgwire.PgServerException;
import dev.strata.replication.pgwire.PgWireConnection;
import dev.strata.storage.pg.Lsn;

import java.io.DataInput;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The CopyBoth half of a physical replication connection after {@code START_REPLICATION}, on the project's own wire
 * client. One thread reads ({@link #read}); status updates ({@link #sendStatus}) may come from any thread, since
 * the socket's output is independent of its input and sends are serialised here.
 *
 * <p>Messages from the walsender, each the payload of a CopyData ('d') message:
 * <pre>
 *   XLogData           Byte1 'w', Int64 dataStart, Int64 walEnd, Int64 sendTime, Byte[n] WAL from dataStart
 *   PrimaryKeepalive   Byte1 'k', Int64 walEnd, Int64 sendTime, Byte1 replyRequested (1 = answer now)
 * </pre>
 * Status sent to it (a CopyData message from the client):
 * <pre>
 *   StandbyStatusUpdate Byte1 'r', Int64 written+1, Int64 flushed+1, Int64 applied+1 (each the LSN after the
 *                       last byte), Int64 clock (microseconds since 2000-01-01 UTC), Byte1 replyRequested (0)
 * </pre>
 * The flushed position moves the slot's restart LSN, so it is the timeline's durable LSN, never merely what was
 * received. An ErrorResponse becomes a {@link PgServerException} carrying the SQLSTATE; CopyDone (the walsender
 * ends streaming: shutdown or end of the timeline) and the end of the connection become plain IOExceptions, which
 * the streamer retries.
 */
final class ReplicationStream implements AutoCloseable {
    private static final long PG_EPOCH_MICROS = 946_684_800_000_000L;
    private static final int XLOGDATA_HEADER = 1 + 8 + 8 + 8;

    private final PgWireConnection conn;
    private final byte[] status = new byte[1 + 4 + 1 + 8 * 4 + 1];
    private volatile long receivedLsn;
    private long flushedLsn;
    private volatile boolean closed;

    private ReplicationStream(PgWireConnection conn, long startLsn) {
        this.conn = conn;
        this.receivedLsn = startLsn;
        this.flushedLsn = Lsn.INVALID;
    }

    /**
     * Sends START_REPLICATION SLOT slot PHYSICAL start and waits for CopyBothResponse.
     *
     * @throws PgServerException when the primary refuses (slot missing or busy, WAL removed, position ahead)
     */
    static ReplicationStream start(PgWireConnection conn, String slot, long startLsn) throws IOException {
        String sql = "START_REPLICATION SLOT \"" + slot.replace("\"", "\"\"") + "\" PHYSICAL " + Lsn.format(startLsn);
        conn.send(FrontendMessages.query(sql));
        while (true) {
            BackendMessage m = conn.read();
            switch (m.type()) {
                case BackendMessage.COPY_BOTH_RESPONSE -> {
                    return new ReplicationStream(conn, startLsn);
                }
                case BackendMessage.ERROR_RESPONSE -> throw PgServerException.of(sql, m.payload());
                default -> throw new IOException("unexpected message " + m.typeName() + " from "
                        + conn.where() + " answering '" + sql + "'");
            }
        }
    }

    /** Takes the WAL of one XLogData message straight from the connection. */
    interface WalConsumer {
        /** Reads exactly {@code length} bytes of WAL, starting at {@code startLsn}, from {@code in}. */
        void accept(long startLsn, DataInput in, int length) throws IOException;
    }

    /**
     * Blocks for the next XLogData and hands its WAL to {@code wal} as it comes off the socket (no array per
     * message); keepalives are answered (when asked) with {@code flushed} as the flushed position; other keepalives
     * need nothing.
     *
     * @param flushed the durable LSN to report if a keepalive asks for a reply (read when one does)
     * @return the LSN after the WAL consumed
     */
    long read(java.util.function.LongSupplier flushed, WalConsumer wal) throws IOException {
        long[] end = {Lsn.INVALID};
        MessageReader.CopyDataReader copyData = (in, length) -> end[0] = copyData(in, length, flushed, wal);
        while (true) {
            BackendMessage m = conn.read(copyData);
            if (m == null) {
                if (end[0] != Lsn.INVALID) {
                    return end[0];
                }
                continue;
            }
            switch (m.type()) {
                case BackendMessage.ERROR_RESPONSE -> throw PgServerException.of("streaming WAL from "
                        + conn.where(), m.payload());
                case BackendMessage.COPY_DONE -> throw new IOException("the primary at " + conn.where()
                        + " ended the replication stream at " + Lsn.format(receivedLsn));
                default -> throw new IOException("unexpected message " + m.typeName() + " from " + conn.where()
                        + " in the replication stream at " + Lsn.format(receivedLsn));
            }
        }
    }

    /** One CopyData payload: XLogData (returns the LSN after its WAL) or a keepalive (returns INVALID). */
    private long copyData(DataInput in, int length, java.util.function.LongSupplier flushed, WalConsumer wal)
            throws IOException {
        if (length == 0) {
            throw new IOException("empty CopyData from " + conn.where() + " at " + Lsn.format(receivedLsn));
        }
        byte kind = in.readByte();
        if (kind == 'w' && length >= XLOGDATA_HEADER) {
            long start = in.readLong();
            in.readLong(); // walEnd
            in.readLong(); // sendTime
            int n = length - XLOGDATA_HEADER;
            wal.accept(start, in, n);
            receivedLsn = start + n;
            return start + n;
        }
        if (kind == 'k' && length >= 1 + 8 + 8 + 1) {
            in.readLong(); // walEnd
            in.readLong(); // sendTime
            boolean reply = in.readByte() != 0;
            in.skipBytes(length - 18);
            if (reply) {
                sendStatus(flushed.getAsLong());
            }
            return Lsn.INVALID;
        }
        throw new IOException("unknown or truncated replication message '" + (char) kind + "' (" + length
                + " bytes) from " + conn.where() + " at " + Lsn.format(receivedLsn));
    }

    /** The LSN after the last WAL byte received. */
    long receivedLsn() {
        return receivedLsn;
    }

    /**
     * Sends a StandbyStatusUpdate: written = received, flushed = applied = {@code durable} (kept at the last value
     * sent when {@code durable} is {@link Lsn#INVALID}).
     */
    synchronized void sendStatus(long durable) throws IOException {
        if (durable != Lsn.INVALID) {
            flushedLsn = durable;
        }
        long flushed = flushedLsn == Lsn.INVALID ? 0 : flushedLsn;
        ByteBuffer b = ByteBuffer.wrap(status);
        b.put((byte) 'd').putInt(status.length - 1).put((byte) 'r');
        b.putLong(receivedLsn).putLong(flushed).putLong(flushed);
        b.putLong(System.currentTimeMillis() * 1000 - PG_EPOCH_MICROS).put((byte) 0);
        conn.send(status);
    }

    /** Closes the connection; a thread blocked in {@link #read} then fails, which a stopping receiver ignores. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            conn.close();
        }
    }
}

package dev.strata.replication.stream;

import java.nio.ByteBuffer;

/**
 * WAL bytes as one XLogData message carried them.
 *
 * @param startLsn LSN of the first byte
 * @param data     the bytes (owned by the consumer once queued)
 */
record WalChunk(long startLsn, ByteBuffer data) {
    long endLsn() {
        return startLsn + data.remaining();
    }
}

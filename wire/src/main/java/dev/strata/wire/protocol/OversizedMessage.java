package dev.strata.wire.protocol;

/**
 * A frontend message longer than the connection's current limit. The framer skipped its payload without buffering
 * it (framing is intact), so the connection answers with an error and goes on.
 *
 * @param tag    the message type byte
 * @param length the payload length the client announced
 * @param limit  the limit in force
 */
public record OversizedMessage(byte tag, long length, int limit) {
}

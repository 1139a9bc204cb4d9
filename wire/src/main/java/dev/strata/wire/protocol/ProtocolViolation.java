package dev.strata.wire.protocol;

/**
 * The framer found bytes that cannot be framed (a length word below 4, a startup packet of impossible size, an
 * unknown startup code). Framing is lost, so the connection gets a FATAL ErrorResponse and is closed.
 */
public record ProtocolViolation(String message) {
}

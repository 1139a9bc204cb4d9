package dev.strata.wire.admin;

/**
 * A parsed statement. {@link ResultCommand}s return a result set and run over the simple or the extended protocol;
 * the others take over the connection (COPY, page stream, WAL stream) and run over the simple protocol only.
 */
public interface Command {
}

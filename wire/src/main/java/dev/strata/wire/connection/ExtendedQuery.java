package dev.strata.wire.connection;

import dev.strata.wire.admin.ResultCommand;
import dev.strata.wire.protocol.ResultSet;

import java.util.HashMap;
import java.util.Map;

/**
 * The extended-protocol state of one connection: prepared statements (named ones live until Close or the end of
 * the connection, the unnamed one until the next Parse) and portals (gone at Sync, as an implicit transaction
 * ends there). Bounded so a client cannot grow it without limit.
 */
final class ExtendedQuery {
    static final int MAX_STATEMENTS = 1000;
    static final int MAX_PORTALS = 1000;
    /** Total query text kept in named statements: with 1 MiB queries allowed, the count alone is no bound. */
    static final long MAX_STATEMENT_BYTES = 8L << 20;

    /** A parsed statement: null command for an empty query. */
    record Prepared(String sql, ResultCommand command) {
    }

    /** A bound statement; the result is computed at the first Execute and handed out in Execute-sized pieces. */
    static final class Portal {
        final Prepared prepared;
        final int[] formats;
        ResultSet result;
        int next;

        Portal(Prepared prepared, int[] formats) {
            this.prepared = prepared;
            this.formats = formats;
        }
    }

    final Map<String, Prepared> statements = new HashMap<>();
    final Map<String, Portal> portals = new HashMap<>();
    boolean ignoreTillSync;
    private long statementBytes;

    /** Stores a statement, replacing one of the same name; false when the limits would be passed. */
    boolean putStatement(String name, Prepared p) {
        Prepared old = statements.get(name);
        long bytes = statementBytes - (old == null ? 0 : old.sql().length()) + p.sql().length();
        if (bytes > MAX_STATEMENT_BYTES || (old == null && statements.size() >= MAX_STATEMENTS)) {
            return false;
        }
        statements.put(name, p);
        statementBytes = bytes;
        return true;
    }

    void removeStatement(String name) {
        Prepared old = statements.remove(name);
        if (old != null) {
            statementBytes -= old.sql().length();
        }
    }

    void sync() {
        portals.clear();
        ignoreTillSync = false;
    }
}

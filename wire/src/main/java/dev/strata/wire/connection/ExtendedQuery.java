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

    void sync() {
        portals.clear();
        ignoreTillSync = false;
    }
}

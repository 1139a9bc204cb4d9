package dev.strata.replication.stream;

import dev.strata.storage.pg.Lsn;
import dev.strata.replication.pgwire.PgServerException;
import org.postgresql.util.PSQLException;

import java.sql.SQLException;

/**
 * Sorts streaming errors into transient (reconnect with backoff) and permanent (the timeline goes broken), and
 * words the permanent ones as what happened plus what to do.
 */
final class Failures {
    private Failures() {
    }

    /**
     * @return a PermanentFailure for errors retrying cannot fix, or null for transient ones (connection refused
     * or reset, server shutting down or starting, the slot briefly held by our own previous connection)
     */
    static PermanentFailure classify(Throwable t, String slot, long startLsn) {
        SQLException sql = find(t, SQLException.class);
        String state = sql == null ? null : sql.getSQLState();
        String msg = t.getMessage() == null ? t.toString() : t.getMessage();
        if (sql instanceof PSQLException p && p.getServerErrorMessage() != null) {
            msg = p.getServerErrorMessage().getMessage();
        }
        PgServerException server = find(t, PgServerException.class);
        if (server != null) {
            state = server.sqlState();
            msg = server.serverMessage();
        }
        if ("58P01".equals(state) || msg.contains("has already been removed")) {
            return new PermanentFailure("the primary has already removed WAL Strata needs from "
                    + Lsn.format(startLsn) + " (" + msg + "); the slot no longer holds it. Strata cannot continue "
                    + "this timeline without a gap: create a new timeline from the primary with 'timeline create "
                    + "<tenant> primary ...'", t);
        }
        if ("42704".equals(state) || msg.contains("does not exist") && msg.contains("slot")) {
            return new PermanentFailure("replication slot '" + slot + "' no longer exists on the primary (" + msg
                    + "), so WAL after Strata's position " + Lsn.format(startLsn) + " may be gone. Create a new "
                    + "timeline from the primary; a recreated slot would leave a gap", t);
        }
        if (msg.contains("ahead of the WAL flush position")) {
            return new PermanentFailure("the primary's WAL ends before Strata's position " + Lsn.format(startLsn)
                    + " (" + msg + "): the primary was restored or replaced. Create a new timeline from it", t);
        }
        if (t instanceof dev.strata.storage.StorageException) {
            return new PermanentFailure("ingest stopped at an invalid or unsupported record: " + msg
                    + ". Reads up to the last ingested LSN keep working; report this with the WAL around that LSN", t);
        }
        return null;
    }

    private static <T extends Throwable> T find(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }
}

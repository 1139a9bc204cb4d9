package dev.strata.wire.protocol;

import dev.strata.storage.CorruptionException;
import dev.strata.storage.KeyNotFoundException;
import dev.strata.storage.LsnBelowGcCutoffException;
import dev.strata.storage.StorageException;
import dev.strata.storage.redo.RedoException;

import java.io.InterruptedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/** Maps what a command threw to the ErrorResponse the client gets: a SQLSTATE and a message saying what to do. */
public final class Errors {
    private Errors() {
    }

    /** True when the error is an internal fault worth a stack trace in the log (not a user mistake). */
    public static boolean isInternal(Throwable t) {
        PgException e = toPgException(t);
        return e.sqlState().startsWith("XX");
    }

    public static PgException toPgException(Throwable thrown) {
        Throwable t = unwrap(thrown);
        if (t instanceof PgException p) {
            return p;
        }
        if (t instanceof InterruptedException || t instanceof InterruptedIOException
                || t instanceof ClosedByInterruptException || t instanceof CancellationException) {
            return new PgException(SqlState.QUERY_CANCELED, "canceling statement due to user request");
        }
        if (t instanceof LsnBelowGcCutoffException e) {
            return new PgException(SqlState.INVALID_PARAMETER_VALUE, e.getMessage());
        }
        if (t instanceof KeyNotFoundException) {
            return new PgException(SqlState.UNDEFINED_OBJECT, t.getMessage());
        }
        if (t instanceof CorruptionException) {
            return new PgException(SqlState.DATA_CORRUPTED, t.getMessage(),
                    "a stored file failed its checks; the message names it");
        }
        if (t instanceof RedoException) {
            return new PgException(SqlState.INTERNAL_ERROR, "WAL redo failed: " + t.getMessage());
        }
        if (t instanceof StorageException) {
            return new PgException(SqlState.INTERNAL_ERROR, t.getMessage());
        }
        if (t instanceof dev.strata.wire.backup.BackupException) {
            return new PgException(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE, "cannot make the backup: "
                    + t.getMessage());
        }
        if (t instanceof TimeoutException) {
            return new PgException(SqlState.QUERY_CANCELED, t.getMessage());
        }
        if (t instanceof IllegalArgumentException) {
            return new PgException(SqlState.INVALID_PARAMETER_VALUE, t.getMessage());
        }
        if (t instanceof UnsupportedOperationException) {
            return new PgException(SqlState.FEATURE_NOT_SUPPORTED, t.getMessage());
        }
        if (t instanceof IllegalStateException) {
            return new PgException(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE, t.getMessage());
        }
        return new PgException(SqlState.INTERNAL_ERROR, "internal error: " + t,
                "the server log has the details");
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}

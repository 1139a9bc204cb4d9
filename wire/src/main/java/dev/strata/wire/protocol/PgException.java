package dev.strata.wire.protocol;

/**
 * An error to report to the client as an ErrorResponse: a SQLSTATE, a message saying what was wrong, and
 * optionally a hint saying what to do.
 */
public class PgException extends RuntimeException {
    private final String sqlState;
    private final String hint;
    private final boolean fatal;

    public PgException(String sqlState, String message) {
        this(sqlState, message, null, false);
    }

    public PgException(String sqlState, String message, String hint) {
        this(sqlState, message, hint, false);
    }

    public PgException(String sqlState, String message, String hint, boolean fatal) {
        super(message);
        this.sqlState = sqlState;
        this.hint = hint;
        this.fatal = fatal;
    }

    public String sqlState() {
        return sqlState;
    }

    /** What to do about it, or null. */
    public String hint() {
        return hint;
    }

    /** True when the connection ends after the error (severity FATAL). */
    public boolean fatal() {
        return fatal;
    }

    public static PgException fatal(String sqlState, String message) {
        return new PgException(sqlState, message, null, true);
    }

    public static PgException syntax(String message, String hint) {
        return new PgException(SqlState.SYNTAX_ERROR, message, hint);
    }
}

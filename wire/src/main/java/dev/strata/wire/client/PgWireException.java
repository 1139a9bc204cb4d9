package dev.strata.wire.client;

import java.io.IOException;

/** An ErrorResponse received from the server: SQLSTATE and message. */
public class PgWireException extends IOException {
    private final String sqlState;

    public PgWireException(String sqlState, String message) {
        super(message + " (SQLSTATE " + sqlState + ")");
        this.sqlState = sqlState;
    }

    public String sqlState() {
        return sqlState;
    }
}

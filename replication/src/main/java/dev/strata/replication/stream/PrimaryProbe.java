package dev.strata.replication.stream;

import dev.strata.replication.pgwire.ConnInfo;
import dev.strata.storage.pg.Lsn;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Asks the primary for its WAL flush position over an ordinary SQL connection (pgjdbc hides the position
 * keepalives carry), for the lag shown in the status and to notice a replication stream that went silent.
 */
final class PrimaryProbe implements AutoCloseable {
    private final ConnInfo info;
    private Connection conn;

    PrimaryProbe(ConnInfo info) {
        this.info = info;
    }

    /** The primary's flush LSN, or {@link Lsn#INVALID} when it cannot be asked right now. */
    long flushLsn() {
        try {
            if (conn == null) {
                conn = DriverManager.getConnection(info.jdbcUrl(), info.jdbcProperties(false));
            }
            try (Statement s = conn.createStatement();
                 ResultSet rs = s.executeQuery("SELECT pg_current_wal_flush_lsn()::text")) {
                rs.next();
                return Lsn.parse(rs.getString(1));
            }
        } catch (SQLException | RuntimeException e) {
            close();
            return Lsn.INVALID;
        }
    }

    @Override
    public void close() {
        if (conn != null) {
            try {
                conn.close();
            } catch (SQLException e) {
                // abandoning it
            }
            conn = null;
        }
    }
}

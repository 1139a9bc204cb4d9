package dev.strata.replication.stream;

import dev.strata.replication.pgwire.ConnInfo;
import dev.strata.storage.pg.Lsn;
import org.postgresql.PGConnection;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A physical replication connection to the primary through pgjdbc: IDENTIFY_SYSTEM, the checks that the primary
 * can feed Strata (PostgreSQL 15, {@code wal_level} replica or logical), and START_REPLICATION on a slot.
 *
 * <p>The stream is built with {@code withAutomaticFlush(false)}: otherwise pgjdbc would confirm, on a keepalive,
 * WAL that was merely received. Only {@link PGReplicationStream#setFlushedLSN} moves the slot.
 */
public final class PrimaryConnection implements AutoCloseable {
    private final Connection conn;
    private final ConnInfo info;

    private PrimaryConnection(Connection conn, ConnInfo info) {
        this.conn = conn;
        this.info = info;
    }

    /** Opens a replication connection. */
    public static PrimaryConnection open(ConnInfo info) throws SQLException {
        return new PrimaryConnection(DriverManager.getConnection(info.jdbcUrl(), info.jdbcProperties(true)), info);
    }

    /**
     * IDENTIFY_SYSTEM plus the settings streaming needs, after checking the server.
     *
     * @throws PermanentFailure with the configuration change to make when the primary cannot feed Strata
     */
    public SystemInfo identify() throws SQLException, PermanentFailure {
        checkServer();
        long sysid;
        int tli;
        long xlogpos;
        try (Statement s = conn.createStatement(); ResultSet rs = s.executeQuery("IDENTIFY_SYSTEM")) {
            rs.next();
            sysid = Long.parseUnsignedLong(rs.getString(1));
            tli = rs.getInt(2);
            xlogpos = Lsn.parse(rs.getString(3));
        }
        return new SystemInfo(sysid, tli, xlogpos, parseSize(show("wal_segment_size")),
                parseMillis(show("wal_sender_timeout")));
    }

    private void checkServer() throws SQLException, PermanentFailure {
        int version = Integer.parseInt(show("server_version_num"));
        if (version / 10000 != 15) {
            throw new PermanentFailure("the primary at " + info.host() + ":" + info.port() + " runs PostgreSQL "
                    + show("server_version") + "; Strata ingests PostgreSQL 15 WAL only: point --primary at a "
                    + "PostgreSQL 15 server");
        }
        String walLevel = show("wal_level");
        if (!walLevel.equals("replica") && !walLevel.equals("logical")) {
            throw new PermanentFailure("the primary runs with wal_level=" + walLevel + ", which does not write the "
                    + "WAL a page server needs: set wal_level = replica (and max_wal_senders >= 2, "
                    + "max_replication_slots >= 1) in the primary's postgresql.conf and restart it");
        }
    }

    /** {@code SHOW name} on the replication connection. */
    public String show(String name) throws SQLException {
        try (Statement s = conn.createStatement(); ResultSet rs = s.executeQuery("SHOW " + name)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** "16MB", "1GB", "8kB" or a plain byte count, as PostgreSQL shows sizes. */
    static int parseSize(String v) {
        String t = v.trim();
        long mult = 1;
        if (t.endsWith("kB")) {
            mult = 1024;
        } else if (t.endsWith("MB")) {
            mult = 1024 * 1024;
        } else if (t.endsWith("GB")) {
            mult = 1024L * 1024 * 1024;
        }
        String digits = mult == 1 ? t : t.substring(0, t.length() - 2);
        return (int) (Long.parseLong(digits.trim()) * mult);
    }

    /** "60s", "1min", "500ms", "0" as PostgreSQL shows durations. */
    static long parseMillis(String v) {
        String t = v.trim();
        String[][] units = {{"ms", "1"}, {"min", "60000"}, {"s", "1000"}, {"h", "3600000"}, {"d", "86400000"}};
        for (String[] u : units) {
            if (t.endsWith(u[0])) {
                return Long.parseLong(t.substring(0, t.length() - u[0].length()).trim()) * Long.parseLong(u[1]);
            }
        }
        return Long.parseLong(t);
    }

    /**
     * START_REPLICATION SLOT slot PHYSICAL start. Errors about the position (WAL removed, ahead of the flush
     * position) only surface on the first read.
     */
    public PGReplicationStream startStreaming(String slot, long startLsn, Duration statusInterval)
            throws SQLException {
        return conn.unwrap(PGConnection.class).getReplicationAPI().replicationStream().physical()
                .withSlotName(slot)
                .withStartPosition(LogSequenceNumber.valueOf(startLsn))
                .withStatusInterval((int) Math.max(1, statusInterval.toMillis()), TimeUnit.MILLISECONDS)
                .withAutomaticFlush(false)
                .start();
    }

    @Override
    public void close() {
        try {
            conn.close();
        } catch (SQLException e) {
            // the connection is being abandoned
        }
    }
}

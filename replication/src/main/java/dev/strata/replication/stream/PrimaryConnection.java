package dev.strata.replication.stream;

import dev.strata.replication.pgwire.ConnInfo;
import dev.strata.replication.pgwire.PgWireConnection;
import dev.strata.storage.pg.Lsn;

import java.io.IOException;
import java.util.List;

/**
 * A physical replication connection to the primary on the project's own wire client: IDENTIFY_SYSTEM, the checks
 * that the primary can feed Strata (PostgreSQL 15, {@code wal_level} replica or logical), and START_REPLICATION on
 * a slot ({@link ReplicationStream}). Only {@link ReplicationStream#sendStatus} moves the slot, with the durable
 * LSN it is given: WAL merely received is never confirmed.
 */
public final class PrimaryConnection implements AutoCloseable {
    private final PgWireConnection conn;
    private final ConnInfo info;

    private PrimaryConnection(PgWireConnection conn, ConnInfo info) {
        this.conn = conn;
        this.info = info;
    }

    /** Opens a replication connection. */
    public static PrimaryConnection open(ConnInfo info) throws IOException {
        return new PrimaryConnection(PgWireConnection.connect(info, true), info);
    }

    /**
     * IDENTIFY_SYSTEM plus the settings streaming needs, after checking the server.
     *
     * @throws PermanentFailure with the configuration change to make when the primary cannot feed Strata
     */
    public SystemInfo identify() throws IOException, PermanentFailure {
        checkServer();
        List<String[]> rows = conn.query("IDENTIFY_SYSTEM");
        if (rows.size() != 1 || rows.get(0).length < 3) {
            throw new IOException("IDENTIFY_SYSTEM on " + conn.where() + " returned " + rows.size() + " rows");
        }
        String[] r = rows.get(0);
        long sysid = Long.parseUnsignedLong(r[0]);
        int tli = Integer.parseInt(r[1]);
        long xlogpos = Lsn.parse(r[2]);
        return new SystemInfo(sysid, tli, xlogpos, parseSize(show("wal_segment_size")),
                parseMillis(show("wal_sender_timeout")));
    }

    private void checkServer() throws IOException, PermanentFailure {
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
    public String show(String name) throws IOException {
        List<String[]> rows = conn.query("SHOW " + name);
        if (rows.isEmpty() || rows.get(0).length == 0) {
            throw new IOException("SHOW " + name + " on " + conn.where() + " returned no row");
        }
        return rows.get(0)[0];
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
     * START_REPLICATION SLOT slot PHYSICAL start; the stream then owns this connection (closing either closes
     * both).
     */
    ReplicationStream startStreaming(String slot, long startLsn) throws IOException {
        return ReplicationStream.start(conn, slot, startLsn);
    }

    @Override
    public void close() {
        conn.close();
    }
}

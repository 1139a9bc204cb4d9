package dev.strata.replication.stream;

import dev.strata.replication.pgwire.ConnInfo;
import dev.strata.storage.pg.Lsn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.regex.Pattern;

/**
 * The physical replication slot on the primary, through an ordinary SQL connection. The slot is created with
 * {@code pg_create_physical_replication_slot(name, true)}, which reserves WAL at once (pgjdbc's slot builder does
 * not), so that nothing between the base backup's start and the first status update can be removed.
 */
public final class SlotManager {
    private static final Logger LOG = LoggerFactory.getLogger(SlotManager.class);
    private static final Pattern SLOT_NAME = Pattern.compile("[a-z0-9_]{1,63}");

    /** What pg_replication_slots says about a slot. */
    public record SlotInfo(String type, boolean active, long restartLsn, String walStatus) {
    }

    private SlotManager() {
    }

    /** @throws IllegalArgumentException with PostgreSQL's naming rule when the name is not valid */
    public static void checkName(String slot) {
        if (!SLOT_NAME.matcher(slot).matches()) {
            throw new IllegalArgumentException("replication slot name '" + slot + "' is invalid: use 1 to 63 "
                    + "lowercase letters, digits and underscores");
        }
    }

    /** Drops the slot, logging instead of failing (cleanup after a failed timeline creation). */
    public static void dropQuietly(ConnInfo info, String slot) {
        try (Connection c = DriverManager.getConnection(info.jdbcUrl(), info.jdbcProperties(false));
             PreparedStatement ps = c.prepareStatement("SELECT pg_drop_replication_slot(?)")) {
            ps.setString(1, slot);
            ps.execute();
            LOG.info("dropped replication slot {} after the failed import, so that it does not hold WAL", slot);
        } catch (SQLException e) {
            LOG.warn("could not drop replication slot {} on the primary ({}); drop it with "
                    + "SELECT pg_drop_replication_slot('{}') or it keeps WAL forever", slot, e.getMessage(), slot);
        }
    }

    /** The slot, or null when it does not exist. */
    public static SlotInfo find(ConnInfo info, String slot) throws SQLException {
        try (Connection c = DriverManager.getConnection(info.jdbcUrl(), info.jdbcProperties(false));
             PreparedStatement ps = c.prepareStatement("SELECT slot_type, active, restart_lsn::text, wal_status "
                     + "FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                String restart = rs.getString(3);
                return new SlotInfo(rs.getString(1), rs.getBoolean(2), restart == null ? 0 : Lsn.parse(restart),
                        rs.getString(4));
            }
        }
    }

    /**
     * Creates the slot with WAL reserved, or checks that an existing one is a physical slot nobody else uses.
     *
     * @return true when the slot was created
     * @throws IllegalStateException with what to do when an existing slot cannot be used
     */
    public static boolean ensure(ConnInfo info, String slot) throws SQLException {
        checkName(slot);
        SlotInfo existing = find(info, slot);
        if (existing != null) {
            if (!"physical".equals(existing.type())) {
                throw new IllegalStateException("replication slot '" + slot + "' on the primary is a "
                        + existing.type() + " slot; Strata needs a physical one: pick another name with slot <name>");
            }
            if (existing.active()) {
                throw new IllegalStateException("replication slot '" + slot + "' is in use by another connection; "
                        + "pick another name with slot <name> or stop its other user");
            }
            if ("lost".equals(existing.walStatus())) {
                throw new IllegalStateException("replication slot '" + slot + "' has lost its WAL "
                        + "(max_slot_wal_keep_size); drop it on the primary with "
                        + "SELECT pg_drop_replication_slot('" + slot + "') and try again");
            }
            LOG.info("using existing replication slot {} (restart_lsn {})", slot, Lsn.format(existing.restartLsn()));
            return false;
        }
        try (Connection c = DriverManager.getConnection(info.jdbcUrl(), info.jdbcProperties(false));
             PreparedStatement ps = c.prepareStatement("SELECT pg_create_physical_replication_slot(?, true)")) {
            ps.setString(1, slot);
            ps.execute();
        }
        LOG.info("created physical replication slot {} with WAL reserved", slot);
        return true;
    }
}

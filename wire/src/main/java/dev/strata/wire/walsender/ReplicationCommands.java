package dev.strata.wire.walsender;

import dev.strata.wire.BackupSource;
import dev.strata.wire.admin.Command;
import dev.strata.wire.admin.CommandContext;
import dev.strata.wire.admin.ResultCommand;
import dev.strata.wire.admin.ServerParameters;
import dev.strata.wire.protocol.Column;
import dev.strata.wire.protocol.PgException;
import dev.strata.wire.protocol.ResultSet;
import dev.strata.wire.protocol.SqlState;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * The walsender commands a replication connection answers with result sets, shaped as PostgreSQL 15's
 * walsender.c shapes them (column names, types, command tags).
 */
public final class ReplicationCommands {
    private ReplicationCommands() {
    }

    /** {@code IDENTIFY_SYSTEM}: systemid (text), timeline (int4), xlogpos (text), dbname (text). */
    public record IdentifySystem() implements ResultCommand {
        public List<Column> columns() {
            return List.of(Column.text("systemid"), Column.int4("timeline"), Column.text("xlogpos"),
                    Column.text("dbname"));
        }

        public ResultSet execute(CommandContext c) throws Exception {
            ReplicationTarget target = ReplicationTarget.resolve(c);
            long lsn = target.effectiveLsn(c);
            BackupSource.WalSegment seg = ReplicationTarget.segment(c, target.timeline(), lsn);
            String db = c.session().replication() == dev.strata.wire.connection.Session.Replication.DATABASE
                    ? c.session().database() : null;
            return new ResultSet(columns(), List.<Object[]>of(new Object[]{Long.toUnsignedString(seg.systemId()),
                    seg.timelineId(), dev.strata.storage.pg.Lsn.format(seg.endLsn()), db}), "IDENTIFY_SYSTEM");
        }
    }

    /**
     * {@code SHOW name} on a replication connection: as on any connection, except that wal_segment_size comes from
     * the served timeline's pg_control when there is one, printed as PostgreSQL prints it ({@code 16MB}).
     */
    public record ReplicationShow(String name) implements ResultCommand {
        public List<Column> columns() {
            return List.of(Column.text(name));
        }

        public ResultSet execute(CommandContext c) throws Exception {
            String value = ServerParameters.show(name, c.session());
            if ("wal_segment_size".equalsIgnoreCase(name)) {
                value = formatSize(walSegmentSize(c));
            }
            if (value == null) {
                throw new PgException(SqlState.UNDEFINED_OBJECT, "unrecognized configuration parameter \"" + name
                        + "\"");
            }
            return new ResultSet(columns(), List.<Object[]>of(new Object[]{value}), "SHOW");
        }

        private static int walSegmentSize(CommandContext c) {
            try {
                ReplicationTarget t = ReplicationTarget.resolve(c);
                long lsn = t.lsn() != null ? t.lsn() : t.timeline().lastRecordLsn();
                byte[] control = c.view(t.timeline()).controlFile(lsn);
                int size = ByteBuffer.wrap(control).order(ByteOrder.LITTLE_ENDIAN).getInt(228);
                return size > 0 && Integer.bitCount(size) == 1 ? size : 16 << 20;
            } catch (RuntimeException e) {
                // no timeline to look at (yet): the PostgreSQL default
                return 16 << 20;
            }
        }

        static String formatSize(int bytes) {
            return bytes >= 1 << 30 ? (bytes >> 30) + "GB" : (bytes >> 20) + "MB";
        }
    }

    /** {@code TIMELINE_HISTORY n}: Strata writes its backups' WAL on timeline 1 and keeps no history files. */
    public record TimelineHistory(int tli) implements ResultCommand {
        public List<Column> columns() {
            return List.of(Column.text("filename"), Column.text("content"));
        }

        public ResultSet execute(CommandContext c) {
            throw new PgException(SqlState.UNDEFINED_FILE, String.format("could not open file \"pg_wal/%08X.history\":"
                    + " Strata keeps no timeline history files", tli), "backups from Strata start on the timeline "
                    + "IDENTIFY_SYSTEM reports and need no history");
        }
    }

    /**
     * {@code CREATE_REPLICATION_SLOT name TEMPORARY PHYSICAL [RESERVE_WAL]}: slot_name, consistent_point,
     * snapshot_name, output_plugin (the last two NULL, consistent_point 0/0 for physical slots, as PostgreSQL).
     */
    public record CreateSlot(String name, boolean temporary, boolean logical, ReplicationSlots slots)
            implements ResultCommand {
        public List<Column> columns() {
            return List.of(Column.text("slot_name"), Column.text("consistent_point"), Column.text("snapshot_name"),
                    Column.text("output_plugin"));
        }

        public ResultSet execute(CommandContext c) {
            if (logical) {
                throw new PgException(SqlState.FEATURE_NOT_SUPPORTED, "Strata serves physical backups only; logical "
                        + "replication slots are not available");
            }
            if (!temporary) {
                throw new PgException(SqlState.FEATURE_NOT_SUPPORTED, "Strata keeps no WAL for permanent "
                        + "replication slots", "use a temporary slot (pg_basebackup's default) or --no-slot");
            }
            if (!slots.create(name, c.session().processId())) {
                throw new PgException(SqlState.DUPLICATE_OBJECT, "replication slot \"" + name + "\" already exists");
            }
            return new ResultSet(columns(), List.<Object[]>of(new Object[]{name, "0/0", null, null}),
                    "CREATE_REPLICATION_SLOT");
        }
    }

    /** {@code DROP_REPLICATION_SLOT name [WAIT]}. */
    public record DropSlot(String name, ReplicationSlots slots) implements ResultCommand {
        public List<Column> columns() {
            return List.of();
        }

        public ResultSet execute(CommandContext c) {
            if (!slots.drop(name)) {
                throw new PgException(SqlState.UNDEFINED_OBJECT, "replication slot \"" + name + "\" does not exist");
            }
            return ResultSet.command("DROP_REPLICATION_SLOT");
        }
    }

    /** {@code READ_REPLICATION_SLOT name}: slot_type, restart_lsn, restart_tli (NULLs for an unknown slot). */
    public record ReadSlot(String name, ReplicationSlots slots) implements ResultCommand {
        public List<Column> columns() {
            return List.of(Column.text("slot_type"), Column.text("restart_lsn"), Column.int8("restart_tli"));
        }

        public ResultSet execute(CommandContext c) {
            Object[] row = slots.exists(name) ? new Object[]{"physical", null, null} : new Object[]{null, null, null};
            return new ResultSet(columns(), List.<Object[]>of(row), "READ_REPLICATION_SLOT");
        }
    }

    /** {@code START_REPLICATION [SLOT s] [PHYSICAL] X/Y [TIMELINE n]}: streams the backup's synthetic segment. */
    public record StartReplication(String slot, long startLsn, Integer timeline) implements Command {
    }

    /** {@code BASE_BACKUP (options)}. */
    public record BaseBackup(BaseBackupOptions options) implements Command {
    }
}

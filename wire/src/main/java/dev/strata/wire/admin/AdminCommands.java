package dev.strata.wire.admin;

import dev.strata.storage.pg.Lsn;
import dev.strata.storage.timeline.LayerInfo;
import dev.strata.storage.timeline.Tenant;
import dev.strata.storage.timeline.Timeline;
import dev.strata.wire.protocol.Column;
import dev.strata.wire.protocol.PgException;
import dev.strata.wire.protocol.ResultSet;
import dev.strata.wire.protocol.SqlState;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The admin commands of DESIGN A.4 that answer with a result set, each with its columns in the listed order. */
public final class AdminCommands {
    /** How long {@code lease lsn} keeps an LSN readable (Neon's lsn_lease_length). */
    public static final Duration LEASE_LENGTH = Duration.ofMinutes(10);

    private AdminCommands() {
    }

    /** {@code tenant create [<tenant>]}: tenant_id. */
    public record TenantCreate(String tenantId) implements ResultCommand {
        public List<Column> columns() {
            return List.of(Column.text("tenant_id"));
        }

        public ResultSet execute(CommandContext ctx) {
            ctx.session().access().checkAll("tenant create");
            if (tenantId != null && ctx.server().pageService().findTenant(tenantId) != null) {
                throw new PgException(SqlState.DUPLICATE_OBJECT, "tenant " + tenantId + " already exists",
                        "omit the id to get a new random one");
            }
            return ResultSet.row(columns(), ctx.server().tenants().createTenant(tenantId).tenantId());
        }
    }

    /** {@code tenant list}: tenant_id, timelines, physical_size (only the token's tenant for tenant tokens). */
    public record TenantList() implements ResultCommand {
        public List<Column> columns() {
            return List.of(Column.text("tenant_id"), Column.int4("timelines"), Column.int8("physical_size"));
        }

        public ResultSet execute(CommandContext ctx) {
            List<Object[]> rows = new ArrayList<>();
            for (Tenant t : ctx.server().tenants().tenants()) {
                if (ctx.session().access().permitsTenant(t.tenantId())) {
                    rows.add(new Object[]{t.tenantId(), t.timelines().size(), t.physicalSize()});
                }
            }
            return ResultSet.of(columns(), rows);
        }
    }

    /** {@code timeline create <tenant> [<timeline>] primary '<conninfo>' [slot <name>]}: timeline_id, start_lsn. */
    public record TimelineCreate(String tenantId, String timelineId, String conninfo, String slot)
            implements ResultCommand {
        public List<Column> columns() {
            return List.of(Column.text("timeline_id"), Column.text("start_lsn"));
        }

        public ResultSet execute(CommandContext ctx) throws Exception {
            Tenant t = ctx.tenant(tenantId);
            if (timelineId != null && t.timelines().stream().anyMatch(tl -> tl.timelineId().equals(timelineId))) {
                throw new PgException(SqlState.DUPLICATE_OBJECT, "timeline " + timelineId + " already exists in "
                        + "tenant " + tenantId, "omit the id to get a new random one");
            }
            Timeline tl = ctx.server().backend().createTimelineFromPrimary(t, timelineId, conninfo, slot);
            return ResultSet.row(columns(), tl.timelineId(), Lsn.format(tl.startLsn()));
        }
    }

    /** {@code timeline branch <tenant> <parent> [<new>] [at <lsn>]}: timeline_id, ancestor_lsn. */
    public record TimelineBranch(String tenantId, String parentId, String newId, Long lsn) implements ResultCommand {
        public List<Column> columns() {
            return List.of(Column.text("timeline_id"), Column.text("ancestor_lsn"));
        }

        public ResultSet execute(CommandContext ctx) {
            Timeline parent = ctx.timeline(tenantId, parentId);
            if (lsn != null) {
                long floor = Math.max(parent.gcCutoffLsn(), parent.startLsn());
                if (Long.compareUnsigned(lsn, floor) < 0 || Long.compareUnsigned(lsn, parent.lastRecordLsn()) > 0) {
                    throw new PgException(SqlState.INVALID_PARAMETER_VALUE, "cannot branch timeline " + parentId
                            + " at " + Lsn.format(lsn) + ": it can be branched between " + Lsn.format(floor)
                            + " and its last record LSN " + Lsn.format(parent.lastRecordLsn()),
                            "pick an LSN in that range, or omit 'at' to branch at the latest");
                }
            }
            Tenant t = ctx.tenant(tenantId);
            if (newId != null && t.timelines().stream().anyMatch(tl -> tl.timelineId().equals(newId))) {
                throw new PgException(SqlState.DUPLICATE_OBJECT, "timeline " + newId + " already exists in tenant "
                        + tenantId, "omit the new id to get a random one");
            }
            Timeline branch = t.branch(parentId, newId, lsn == null ? 0 : lsn);
            return ResultSet.row(columns(), branch.timelineId(), Lsn.format(branch.ancestorLsn()));
        }
    }

    /** {@code timeline list <tenant>}. */
    public record TimelineList(String tenantId) implements ResultCommand {
        public List<Column> columns() {
            return List.of(Column.text("timeline_id"), Column.text("ancestor_timeline_id"),
                    Column.text("ancestor_lsn"), Column.text("last_record_lsn"), Column.text("disk_consistent_lsn"),
                    Column.text("state"));
        }

        public ResultSet execute(CommandContext ctx) {
            List<Object[]> rows = new ArrayList<>();
            for (Timeline tl : ctx.tenant(tenantId).timelines()) {
                boolean root = tl.ancestorTimelineId() == null;
                rows.add(new Object[]{tl.timelineId(), tl.ancestorTimelineId(),
                        root ? null : Lsn.format(tl.ancestorLsn()), Lsn.format(tl.lastRecordLsn()),
                        Lsn.format(tl.diskConsistentLsn()), tl.state().name().toLowerCase()});
            }
            return ResultSet.of(columns(), rows);
        }
    }

    /** {@code timeline detail <tenant> <timeline>}: the fields of DESIGN A.6. */
    public record TimelineDetailCommand(String tenantId, String timelineId) implements ResultCommand {
        public List<Column> columns() {
            return TimelineDetail.COLUMNS;
        }

        public ResultSet execute(CommandContext ctx) {
            Timeline tl = ctx.timeline(tenantId, timelineId);
            return ResultSet.row(columns(), TimelineDetail.of(tl, ctx.server().backend()).row());
        }
    }

    /** {@code timeline checkpoint|compact|gc <tenant> <timeline>}: one row saying what it did. */
    public record TimelineMaintenance(String action, String tenantId, String timelineId) implements ResultCommand {
        public List<Column> columns() {
            return List.of(Column.text("timeline_id"), Column.text("action"), Column.text("result"));
        }

        public ResultSet execute(CommandContext ctx) {
            Timeline tl = ctx.timeline(tenantId, timelineId);
            String result = switch (action) {
                case "checkpoint" -> {
                    long before = tl.diskConsistentLsn();
                    tl.checkpoint();
                    yield "disk_consistent_lsn " + Lsn.format(before) + " -> " + Lsn.format(tl.diskConsistentLsn())
                            + ", " + tl.layers().size() + " layers";
                }
                case "compact" -> tl.compact();
                default -> tl.gc();
            };
            return ResultSet.row(columns(), tl.timelineId(), action, result);
        }
    }

    /** {@code layers <tenant> <timeline>}: name, kind, key_start, key_end, lsn_start, lsn_end, size_bytes. */
    public record Layers(String tenantId, String timelineId) implements ResultCommand {
        public List<Column> columns() {
            return List.of(Column.text("name"), Column.text("kind"), Column.text("key_start"),
                    Column.text("key_end"), Column.text("lsn_start"), Column.text("lsn_end"),
                    Column.int8("size_bytes"));
        }

        public ResultSet execute(CommandContext ctx) {
            List<Object[]> rows = new ArrayList<>();
            for (LayerInfo l : ctx.timeline(tenantId, timelineId).layers()) {
                rows.add(new Object[]{l.name(), l.kind(), l.keyStart().toString(), l.keyEnd().toString(),
                        Lsn.format(l.lsnStart()), Lsn.format(l.lsnEnd()), l.sizeBytes()});
            }
            return ResultSet.of(columns(), rows);
        }
    }

    /** {@code lease lsn <tenant> <timeline> <lsn>}: valid_until (ms since the epoch, as text, as Neon sends it). */
    public record LeaseLsn(String tenantId, String timelineId, long lsn) implements ResultCommand {
        public List<Column> columns() {
            return List.of(Column.text("valid_until"));
        }

        public ResultSet execute(CommandContext ctx) {
            Timeline tl = ctx.timeline(tenantId, timelineId);
            if (Long.compareUnsigned(lsn, tl.gcCutoffLsn()) < 0) {
                throw new PgException(SqlState.INVALID_PARAMETER_VALUE, "cannot lease LSN " + Lsn.format(lsn)
                        + ": it is below the GC cutoff " + Lsn.format(tl.gcCutoffLsn()) + " of timeline " + timelineId,
                        "lease an LSN at or above the cutoff");
            }
            return ResultSet.row(columns(), Long.toString(tl.leaseLsn(lsn, LEASE_LENGTH)));
        }
    }

    /** {@code set ...}: accepted and ignored, as Neon does (psycopg and friends send SET on connect). */
    public record Set() implements ResultCommand {
        public List<Column> columns() {
            return List.of();
        }

        public ResultSet execute(CommandContext ctx) {
            return ResultSet.command("SET");
        }

        @Override
        public boolean inline() {
            return true;
        }
    }

    /** {@code show <parameter>}: the value of a server parameter, one row, the column named after it. */
    public record Show(String name) implements ResultCommand {
        public List<Column> columns() {
            return List.of(Column.text(name));
        }

        public ResultSet execute(CommandContext ctx) {
            String value = ServerParameters.show(name, ctx.session());
            if (value == null) {
                throw new PgException(SqlState.UNDEFINED_OBJECT, "unrecognized configuration parameter \"" + name
                        + "\"", "Strata shows: " + String.join(", ", ServerParameters.SHOWABLE));
            }
            return new ResultSet(columns(), List.<Object[]>of(new Object[]{value}), "SHOW");
        }

        @Override
        public boolean inline() {
            return true;
        }
    }
}

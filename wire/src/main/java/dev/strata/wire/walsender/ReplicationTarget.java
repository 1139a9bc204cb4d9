package dev.strata.wire.walsender;

import dev.strata.storage.pg.Lsn;
import dev.strata.storage.timeline.Timeline;
import dev.strata.wire.BackupSource;
import dev.strata.wire.admin.CommandContext;
import dev.strata.wire.protocol.PgException;
import dev.strata.wire.protocol.SqlState;

import java.util.Locale;
import java.util.Map;

/**
 * Which timeline and LSN a replication connection serves: {@code strata.tenant}, {@code strata.timeline} and
 * {@code strata.lsn} from the startup options ({@code PGOPTIONS='-c strata.tenant=… -c strata.timeline=…
 * -c strata.lsn=X/Y'}), else the server's default timeline at its latest LSN.
 *
 * @param lsn the requested LSN, or null for latest
 */
public record ReplicationTarget(Timeline timeline, Long lsn) {
    public static ReplicationTarget resolve(CommandContext c) {
        Map<String, String> s = c.session().settings();
        String tenant = s.get("strata.tenant");
        String timeline = s.get("strata.timeline");
        Timeline tl;
        if (tenant != null || timeline != null) {
            if (tenant == null || timeline == null) {
                throw new PgException(SqlState.INVALID_PARAMETER_VALUE, "strata.tenant and strata.timeline must be "
                        + "given together", "PGOPTIONS='-c strata.tenant=<id> -c strata.timeline=<id>'");
            }
            tl = c.timeline(tenant.toLowerCase(Locale.ROOT), timeline.toLowerCase(Locale.ROOT));
        } else {
            tl = c.server().backend().defaultTimeline();
            if (tl == null) {
                throw new PgException(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE, "this server has no default "
                        + "timeline, so a replication connection must name one",
                        "set PGOPTIONS='-c strata.tenant=<id> -c strata.timeline=<id>' ('tenant list' and "
                                + "'timeline list <tenant>' show the ids)");
            }
            c.session().access().checkTenant(tl.tenantId());
        }
        String lsnText = s.get("strata.lsn");
        Long lsn = null;
        if (lsnText != null && !lsnText.equalsIgnoreCase("latest")) {
            try {
                lsn = Lsn.parse(lsnText);
            } catch (IllegalArgumentException e) {
                throw new PgException(SqlState.INVALID_TEXT_REPRESENTATION, "invalid strata.lsn: " + e.getMessage(),
                        "write it as PostgreSQL does (e.g. 0/16B3748), or 'latest'");
            }
        }
        return new ReplicationTarget(tl, lsn);
    }

    /** The LSN to serve, waiting for it when it is ahead (see {@link CommandContext#backupLsn}). */
    public long effectiveLsn(CommandContext c) throws InterruptedException {
        return c.backupLsn(timeline, lsn);
    }

    /** The synthetic WAL segment of a backup at {@code lsn} (shared through the registry). */
    public static BackupSource.WalSegment segment(CommandContext c, Timeline tl, long lsn) throws Exception {
        BackupSource source = c.server().backups();
        if (source == null) {
            throw new PgException(SqlState.FEATURE_NOT_SUPPORTED, "this server was built without the backup "
                    + "generator, so it has no WAL to describe or stream");
        }
        return c.server().walSegments().segmentAt(tl, lsn, () -> source.walSegment(c.view(tl), tl, lsn));
    }
}

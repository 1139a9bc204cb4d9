package dev.strata.wire.copy;

import dev.strata.storage.pg.Lsn;
import dev.strata.storage.timeline.Timeline;
import dev.strata.wire.BackupSource;
import dev.strata.wire.admin.CommandContext;
import dev.strata.wire.protocol.BackendMessages;
import dev.strata.wire.protocol.PgException;
import dev.strata.wire.protocol.SqlState;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;

/**
 * Runs {@code basebackup} and {@code fullbackup} with Neon's framing:
 *
 * <pre>
 * CopyOutResponse (format 0, 0 columns)
 * CopyData × n      the tar stream (gzip with --gzip), 64 KiB per message, no per-message kind byte
 * CopyDone
 * CommandComplete "SELECT 1"
 * </pre>
 *
 * followed by the ReadyForQuery the connection sends. The tar holds a data directory at the LSN (see the backup
 * generator for its contents); an error after CopyOutResponse ends the copy with an ErrorResponse, which a
 * client sees as a failed COPY. Because the COPY starts at once, pgjdbc's {@code CopyManager.copyOut} and psql's
 * {@code \copy} can read it.
 */
public final class NeonBackup {
    private NeonBackup() {
    }

    /** Runs on a command thread; writes everything up to CommandComplete. */
    public static void run(CommandContext c, BackupCommand cmd, Channel channel, WritabilityGate gate)
            throws Exception {
        Timeline tl = c.timeline(cmd.tenantId(), cmd.timelineId());
        BackupSource source = c.server().backups();
        if (source == null) {
            throw new PgException(SqlState.FEATURE_NOT_SUPPORTED, "this server was built without the backup "
                    + "generator, so it cannot produce backups");
        }
        long lsn = c.backupLsn(tl, cmd.lsn());
        if (cmd.prevLsn() != null && lsn == tl.lastRecordLsn() && cmd.prevLsn() != tl.prevRecordLsn()) {
            throw new PgException(SqlState.INVALID_PARAMETER_VALUE, "prev_lsn " + Lsn.format(cmd.prevLsn())
                    + " does not match the server's " + Lsn.format(tl.prevRecordLsn()) + " at " + Lsn.format(lsn),
                    "omit prev_lsn, or pass the one 'timeline detail' shows");
        }
        String primary = null;
        if (cmd.replica()) {
            primary = c.server().backend().primaryConninfo(tl);
            if (primary == null) {
                throw new PgException(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE, "timeline " + tl.timelineId()
                        + " has no primary to stream from, so --replica has nothing to point at",
                        "use --replica only for timelines created from a primary");
            }
        }
        BackupSource.Options options = new BackupSource.Options(cmd.full(), cmd.replica(), primary, cmd.gzip());
        ByteBuf start = channel.alloc().buffer(8);
        BackendMessages.copyResponse(start, 'H');
        channel.writeAndFlush(start, channel.voidPromise());
        CopyOutStream out = new CopyOutStream(channel, gate, -1);
        try {
            source.writeTar(c.view(tl), tl, lsn, options, out);
            out.close();
        } finally {
            out.abort();
        }
        ByteBuf end = channel.alloc().buffer(32);
        BackendMessages.copyDone(end);
        BackendMessages.commandComplete(end, "SELECT 1");
        channel.write(end, channel.voidPromise());
    }
}

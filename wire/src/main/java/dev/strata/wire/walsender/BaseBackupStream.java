package dev.strata.wire.walsender;

import dev.strata.storage.pg.Lsn;
import dev.strata.storage.pgdata.DatadirView;
import dev.strata.storage.pg.RelTag;
import dev.strata.storage.timeline.Timeline;
import dev.strata.wire.BackupSource;
import dev.strata.wire.admin.CommandContext;
import dev.strata.wire.copy.CopyOutStream;
import dev.strata.wire.copy.WritabilityGate;
import dev.strata.wire.protocol.BackendMessages;
import dev.strata.wire.protocol.Column;
import dev.strata.wire.protocol.PgType;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Answers {@code BASE_BACKUP} as PostgreSQL 15's basebackup_copy.c does, so stock pg_basebackup takes it:
 *
 * <pre>
 * RowDescription(recptr text, tli int8) DataRow(checkpoint LSN, TLI) CommandComplete "SELECT"
 * RowDescription(spcoid oid, spclocation text, size int8) DataRow(NULL, NULL, kB or NULL) CommandComplete "SELECT"
 * CopyOutResponse
 *   CopyData 'n' "base.tar[.gz]\0" "\0"        new archive: the main data directory (no user tablespaces)
 *   CopyData 'd' archive bytes ...              tar, 256 KiB per message (CopyOutStream.BULK_CHUNK)
 *   CopyData 'p' int64 bytes done               progress, at the end of the archive
 *   CopyData 'm'                                manifest follows (when asked for)
 *   CopyData 'd' manifest bytes ...
 * CopyDone
 * RowDescription(recptr text, tli int8) DataRow(end LSN, TLI) CommandComplete "SELECT"
 * CommandComplete "BASE_BACKUP"               (the connection then sends ReadyForQuery)
 * </pre>
 *
 * The archive is the backup generator's data directory at the LSN: a clean shutdown at a checkpoint, no
 * backup_label. Its start position is that checkpoint and its end the end of the checkpoint record. Under
 * {@code WAIT false} without {@code WAL} (pg_basebackup -X stream) the pg_wal files are left out, because the
 * client's second connection streams that segment (START_REPLICATION) into pg_wal itself.
 */
public final class BaseBackupStream {
    private BaseBackupStream() {
    }

    public static void run(CommandContext c, BaseBackupOptions o, Channel ch, WritabilityGate gate) throws Exception {
        ReplicationTarget target = ReplicationTarget.resolve(c);
        Timeline tl = target.timeline();
        BackupSource source = c.server().backups();
        long lsn = target.effectiveLsn(c);
        BackupSource.WalSegment seg = ReplicationTarget.segment(c, tl, lsn);
        DatadirView view = c.view(tl);
        ByteBuf head = ch.alloc().buffer(256);
        position(head, seg.checkpointLsn(), seg.timelineId());
        List<Column> spc = List.of(new Column("spcoid", PgType.OID), Column.text("spclocation"), Column.int8("size"));
        BackendMessages.rowDescription(head, spc, null);
        BackendMessages.dataRow(head, spc, new Object[]{null, null, o.progress() ? estimateKb(source, view, tl, lsn) : null},
                null);
        BackendMessages.commandComplete(head, "SELECT");
        BackendMessages.copyResponse(head, 'H');
        ByteBuf name = ch.alloc().buffer(32);
        String archive = o.gzipLevel() != 0 ? "base.tar.gz" : "base.tar";
        byte[] nameBytes = BackendMessages.utf8(archive);
        BackendMessages.copyDataHeader(name, 1 + nameBytes.length + 2);
        name.writeByte('n').writeBytes(nameBytes).writeByte(0).writeByte(0);
        ch.write(head, ch.voidPromise());
        ch.writeAndFlush(name, ch.voidPromise());

        BackupManifest manifest = o.manifest() ? new BackupManifest(o.manifestChecksums(), o.forceEncode()) : null;
        long archived = streamArchive(c, o, ch, gate, tl, lsn, view, source, manifest);

        ByteBuf progress = ch.alloc().buffer(16);
        BackendMessages.copyDataHeader(progress, 9);
        progress.writeByte('p').writeLong(archived);
        ch.write(progress, ch.voidPromise());
        if (manifest != null) {
            ByteBuf m = ch.alloc().buffer(8);
            BackendMessages.copyDataHeader(m, 1);
            m.writeByte('m');
            ch.write(m, ch.voidPromise());
            try (CopyOutStream out = new CopyOutStream(ch, gate, 'd')) {
                out.write(manifest.finish(seg.timelineId(), seg.checkpointLsn(), seg.endLsn()));
            }
        }
        ByteBuf tail = ch.alloc().buffer(128);
        BackendMessages.copyDone(tail);
        position(tail, seg.endLsn(), seg.timelineId());
        BackendMessages.commandComplete(tail, "BASE_BACKUP");
        ch.write(tail, ch.voidPromise());
    }

    private static long streamArchive(CommandContext c, BaseBackupOptions o, Channel ch, WritabilityGate gate,
                                      Timeline tl, long lsn, DatadirView view, BackupSource source,
                                      BackupManifest manifest) throws IOException {
        CopyOutStream copy = new CopyOutStream(ch, gate, 'd', CopyOutStream.BULK_CHUNK);
        try {
            OutputStream sink = o.maxRateKbps() > 0 ? new ThrottledOutputStream(copy, o.maxRateKbps() * 1024L) : copy;
            GZIPOutputStream gzip = o.gzipLevel() != 0 ? gzip(sink, o.gzipLevel()) : null;
            TarInspector tar = new TarInspector(gzip != null ? gzip : sink, manifest,
                    !o.includeWal() && !o.waitForWal());
            BackupSource.Options options = new BackupSource.Options(true, false, null, false);
            source.writeTar(view, tl, lsn, options, tar);
            tar.finish();
            if (gzip != null) {
                gzip.finish();
            }
            copy.close();
            return tar.bytesOut();
        } finally {
            copy.abort();
        }
    }

    private static GZIPOutputStream gzip(OutputStream out, int level) throws IOException {
        return new GZIPOutputStream(out, CopyOutStream.CHUNK) {
            {
                def.setLevel(level < 0 ? Deflater.DEFAULT_COMPRESSION : level);
            }
        };
    }

    /** A start or end position result set: recptr (text), tli (int8), then CommandComplete "SELECT". */
    private static void position(ByteBuf out, long lsn, int tli) {
        List<Column> cols = List.of(Column.text("recptr"), Column.int8("tli"));
        BackendMessages.rowDescription(out, cols, null);
        BackendMessages.dataRow(out, cols, new Object[]{Lsn.format(lsn), (long) tli}, null);
        BackendMessages.commandComplete(out, "SELECT");
    }

    /** The data directory's size in kB for PROGRESS: relation forks, SLRUs and one WAL segment; null if unknown. */
    static Long estimateKb(BackupSource source, DatadirView view, Timeline tl, long lsn) {
        try {
            long exact = source.estimatedSize(view, tl, lsn);
            if (exact >= 0) {
                return exact / 1024;
            }
            long bytes = 16L << 20;
            for (DatadirView.Database db : view.databases(lsn)) {
                for (RelTag rel : view.relations(db.spcNode(), db.dbNode(), lsn)) {
                    bytes += (long) view.relSize(rel, lsn) * 8192;
                }
            }
            for (int kind = 0; kind <= 2; kind++) {
                for (int segno : view.slruSegments(kind, lsn)) {
                    bytes += (long) view.slruSegmentSize(kind, segno, lsn) * 8192;
                }
            }
            return bytes / 1024;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}

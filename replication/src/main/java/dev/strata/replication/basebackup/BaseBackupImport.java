package dev.strata.replication.basebackup;

import dev.strata.replication.ImportProgress;
import dev.strata.replication.pgwire.ConnInfo;
import dev.strata.replication.pgwire.PgWireConnection;
import dev.strata.storage.pg.Lsn;
import dev.strata.storage.pgdata.ControlFileData;
import dev.strata.storage.pgdata.DatadirModification;
import dev.strata.storage.timeline.Timeline;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * One base-backup import: BASE_BACKUP on a replication connection of our own client, every archive mapped onto a
 * new timeline through {@link BaseBackupImporter}, all values stored at the backup's start LSN and committed as
 * one unit. Streaming from the start LSN then makes the pages consistent; the timeline is readable from the end
 * LSN.
 */
public final class BaseBackupImport {
    private static final Logger LOG = LoggerFactory.getLogger(BaseBackupImport.class);
    static final String COMMAND = "BASE_BACKUP (LABEL 'strata', PROGRESS, CHECKPOINT 'fast', WAIT false, "
            + "MANIFEST 'no')";

    /** Creates the timeline once the start position is known. */
    @FunctionalInterface
    public interface TimelineFactory {
        Timeline create(long startLsn, int pgTimeline) throws IOException;
    }

    /**
     * @param startLsn   the backup's start: WAL from here is streamed
     * @param endLsn     the backup's end: the timeline is consistent from here
     * @param pgTimeline the PostgreSQL timeline of the backup
     */
    public record Result(Timeline timeline, long startLsn, long endLsn, int pgTimeline, ControlFileData control) {
    }

    private BaseBackupImport() {
    }

    /**
     * Runs the backup and the import; returns once the imported values are committed (not yet flushed).
     *
     * @throws IOException naming the primary when the backup fails
     */
    public static Result run(ConnInfo info, TimelineFactory factory, ImportProgress progress) throws IOException {
        progress.setFilesTotal(countFiles(info));
        try (PgWireConnection conn = PgWireConnection.connect(info, true)) {
            BaseBackupStream bb = BaseBackupStream.start(conn, COMMAND);
            progress.setBytesTotal(bb.totalBytesEstimate());
            long start = bb.startLsn();
            LOG.info("base backup from {} started at {} (timeline {}), about {} MB", conn.where(), Lsn.format(start),
                    bb.timeline(), bb.totalBytesEstimate() >> 20);
            Timeline tl = factory.create(start, bb.timeline());
            DatadirModification mod = new DatadirModification(tl);
            mod.begin(start);
            BaseBackupImporter importer = new BaseBackupImporter(mod, progress);
            BaseBackupStream.Archive a;
            while ((a = bb.nextArchive()) != null) {
                Integer spc = a.name().startsWith("base.tar") ? null : tablespaceOid(a.name());
                importer.importArchive(a.name(), a.data(), spc, bb::bytesDone);
            }
            long end = bb.finish();
            ControlFileData control = importer.finish();
            // the record before the start LSN is unknown: prev stays invalid until the first streamed record
            mod.commit(Lsn.INVALID);
            LOG.info("base backup imported: {} pages, {}; consistent from {}", progress.pagesImported(), progress,
                    Lsn.format(end));
            return new Result(tl, start, end, bb.timeline(), control);
        }
    }

    private static int tablespaceOid(String archive) throws IOException {
        String digits = archive.substring(0, archive.indexOf('.') < 0 ? archive.length() : archive.indexOf('.'));
        try {
            return Integer.parseUnsignedInt(digits);
        } catch (NumberFormatException e) {
            throw new IOException("base backup archive '" + archive + "' is neither base.tar nor <oid>.tar", e);
        }
    }

    /**
     * How many files the backup will hold, counted on the primary ({@code pg_ls_dir} needs superuser or a grant);
     * -1 when the role may not list them.
     */
    static long countFiles(ConnInfo info) {
        String sql = "WITH RECURSIVE t(path, isdir) AS ("
                + " SELECT f, (pg_stat_file(f, true)).isdir FROM pg_ls_dir('.', true, false) f WHERE f <> 'pg_wal'"
                + " UNION ALL SELECT t.path || '/' || f, (pg_stat_file(t.path || '/' || f, true)).isdir"
                + " FROM t, LATERAL pg_ls_dir(t.path, true, false) f WHERE t.isdir)"
                + " SELECT count(*) FROM t WHERE NOT isdir";
        try (Connection c = DriverManager.getConnection(info.jdbcUrl(), info.jdbcProperties(false));
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            LOG.info("cannot count the primary's files in advance ({}); the import shows files done only",
                    e.getMessage());
            return -1;
        }
    }
}

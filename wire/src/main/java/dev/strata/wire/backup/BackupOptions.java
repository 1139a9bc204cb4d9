package dev.strata.wire.backup;

import java.util.regex.Pattern;

/**
 * What a backup tar holds and how it is encoded.
 *
 * <h2>{@code fullbackup} ({@link #fullbackup()}, {@code full = true})</h2>
 * A complete data directory that stock PostgreSQL 15 starts from: every fork of every relation, PG_VERSION and
 * pg_filenode.map files, pg_xact and pg_multixact segments, pg_twophase files, the empty directories PostgreSQL
 * expects, postgresql.conf / postgresql.auto.conf / pg_hba.conf / pg_ident.conf, pg_wal with the segment that holds
 * the checkpoint record, and global/pg_control last. The layout is specified in {@link BackupWriter}.
 *
 * <h2>{@code basebackup} ({@link #basebackup()}, {@code full = false})</h2>
 * The tarball Neon's pageserver gives its computes, whose relation data is read page by page through the page
 * service: the same tar as {@code fullbackup} except that the main, FSM and VM forks of permanent relations are
 * left out (unlogged relations keep their init fork and its copy as the main fork, as in {@code fullbackup}), and
 * two extra files, {@code neon.signal} and {@code zenith.signal}, both holding {@code "PREV LSN: X/Y"} (or
 * {@code "PREV LSN: invalid"} when the previous record's LSN is unknown). Stock PostgreSQL cannot start from it: it
 * has no catalog files. The framing on the wire (CopyOutResponse, CopyData, CopyDone, CommandComplete) is the wire
 * module's; Neon omits the tar's two end-of-archive blocks, this tar always has them (every tar reader accepts
 * both).
 *
 * <h2>Options common to both</h2>
 * <ul>
 *   <li>{@code replica}: adds an empty {@code standby.signal} and puts {@code primary_conninfo} (and
 *       {@code primary_slot_name} when given) into postgresql.auto.conf; pg_control and pg_wal take the standby
 *       layout described in {@link SyntheticWal} (an online checkpoint whose redo pointer is the backup LSN), so
 *       that the standby streams the primary's own WAL from the backup LSN on. The backup LSN must then be the
 *       end of a record on the primary's timeline (the timeline's last_record_lsn, or a recorded record end): the
 *       standby's first read there is a record header.</li>
 *   <li>{@code gzip}: the whole tar is gzip-compressed (Deflater level 1, "fastest", as Neon does).</li>
 *   <li>{@code includeWal}: whether pg_wal holds the checkpoint segment. pg_basebackup's {@code -X stream} receives
 *       that segment over its replication connection instead, so the tar for it must not carry it too.</li>
 * </ul>
 *
 * @param full             every relation fork ({@code fullbackup}) or Neon's compute tarball ({@code basebackup})
 * @param replica          write a standby: standby.signal, primary_conninfo and the standby WAL layout
 * @param primaryConninfo  libpq connection string of the timeline's primary; required when {@code replica}
 * @param primarySlotName  physical replication slot the standby should use, or null for none
 * @param gzip             gzip the tar
 * @param includeWal       put the checkpoint segment into pg_wal
 */
public record BackupOptions(boolean full, boolean replica, String primaryConninfo, String primarySlotName,
                            boolean gzip, boolean includeWal) {
    private static final Pattern SLOT_NAME = Pattern.compile("[a-z0-9_]{1,63}");

    public BackupOptions {
        if (replica && (primaryConninfo == null || primaryConninfo.isBlank())) {
            throw new IllegalArgumentException("a replica backup needs the primary's conninfo "
                    + "(e.g. 'host=10.0.0.5 port=5432 user=replicator'), so that the standby can stream from it");
        }
        if (!replica && (primaryConninfo != null || primarySlotName != null)) {
            throw new IllegalArgumentException("primary_conninfo and primary_slot_name only apply to a replica "
                    + "backup; use withReplica(conninfo)");
        }
        if (primarySlotName != null && !SLOT_NAME.matcher(primarySlotName).matches()) {
            throw new IllegalArgumentException("not a replication slot name: '" + primarySlotName
                    + "' (lower-case letters, digits and underscores, at most 63)");
        }
    }

    /** A complete data directory: every relation fork. */
    public static BackupOptions fullbackup() {
        return new BackupOptions(true, false, null, null, false, true);
    }

    /** Neon's compute tarball: no data of permanent relations (see the class comment). */
    public static BackupOptions basebackup() {
        return new BackupOptions(false, false, null, null, false, true);
    }

    public BackupOptions withGzip(boolean on) {
        return new BackupOptions(full, replica, primaryConninfo, primarySlotName, on, includeWal);
    }

    /** A standby of the primary reachable with {@code conninfo}. */
    public BackupOptions withReplica(String conninfo) {
        return new BackupOptions(full, true, conninfo, primarySlotName, gzip, includeWal);
    }

    /** The physical slot the standby streams through (only with {@link #withReplica}). */
    public BackupOptions withPrimarySlot(String slotName) {
        return new BackupOptions(full, replica, primaryConninfo, slotName, gzip, includeWal);
    }

    /** Whether pg_wal carries the checkpoint segment (false for pg_basebackup {@code -X stream}). */
    public BackupOptions withWal(boolean on) {
        return new BackupOptions(full, replica, primaryConninfo, primarySlotName, gzip, on);
    }
}

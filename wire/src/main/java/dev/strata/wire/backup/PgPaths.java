package dev.strata.wire.backup;

import dev.strata.storage.key.Key;
import dev.strata.storage.pg.RelTag;

import java.util.List;

/**
 * File names inside a PostgreSQL 15 data directory, as the server itself names them.
 *
 * <ul>
 *   <li>Relation forks: {@code global/<relfilenode>} in the global tablespace (1664), {@code base/<db>/<relfilenode>}
 *       in the default one (1663), {@code pg_tblspc/<spc>/PG_15_202209061/<db>/<relfilenode>} in any other, plus
 *       {@code _fsm}, {@code _vm} or {@code _init} for forks 1-3 and {@code .N} for the N-th 1 GiB segment
 *       (131072 blocks) when N &gt; 0. OIDs are unsigned decimal. Other tablespaces are written as directories
 *       inside pg_tblspc (PostgreSQL 15's "in-place" tablespaces) because their original locations are not known;
 *       the server reads them the same way, and {@code pg_tablespace_location()} then shows the relative path.</li>
 *   <li>SLRU segments: {@code pg_xact/XXXX}, {@code pg_multixact/members/XXXX}, {@code pg_multixact/offsets/XXXX}
 *       (segment number as 4 upper-case hex digits).</li>
 *   <li>Two-phase state files: {@code pg_twophase/XXXXXXXX} (the XID as 8 upper-case hex digits).</li>
 * </ul>
 */
final class PgPaths {
    static final int GLOBALTABLESPACE_OID = 1664;
    static final int DEFAULTTABLESPACE_OID = 1663;
    static final String TABLESPACE_VERSION_DIRECTORY = "PG_15_202209061";

    /** Directories every data directory has, parents first (PostgreSQL 15's initdb set). */
    static final List<String> SUBDIRS = List.of("global", "pg_wal", "pg_wal/archive_status", "pg_commit_ts",
            "pg_dynshmem", "pg_notify", "pg_serial", "pg_snapshots", "pg_subtrans", "pg_twophase", "pg_multixact",
            "pg_multixact/members", "pg_multixact/offsets", "base", "pg_replslot", "pg_tblspc", "pg_stat",
            "pg_stat_tmp", "pg_xact", "pg_logical", "pg_logical/snapshots", "pg_logical/mappings");

    private static final String[] FORK_SUFFIX = {"", "_fsm", "_vm", "_init"};

    private PgPaths() {
    }

    /** The directory holding database {@code db}'s files in tablespace {@code spc} (no trailing slash). */
    static String databaseDir(int spc, int db) {
        if (spc == GLOBALTABLESPACE_OID) {
            return "global";
        }
        if (spc == DEFAULTTABLESPACE_OID) {
            return "base/" + Integer.toUnsignedString(db);
        }
        return tablespaceVersionDir(spc) + "/" + Integer.toUnsignedString(db);
    }

    /** {@code pg_tblspc/<spc>/PG_15_202209061}. */
    static String tablespaceVersionDir(int spc) {
        return "pg_tblspc/" + Integer.toUnsignedString(spc) + "/" + TABLESPACE_VERSION_DIRECTORY;
    }

    /** The file of segment {@code segno} of a relation fork. */
    static String relationSegment(RelTag rel, int segno) {
        String base = databaseDir(rel.spcNode(), rel.dbNode()) + "/" + Integer.toUnsignedString(rel.relNode())
                + FORK_SUFFIX[rel.forkNum()];
        return segno == 0 ? base : base + "." + segno;
    }

    static String slruDir(int kind) {
        switch (kind) {
            case Key.SLRU_CLOG:
                return "pg_xact";
            case Key.SLRU_MULTIXACT_MEMBERS:
                return "pg_multixact/members";
            case Key.SLRU_MULTIXACT_OFFSETS:
                return "pg_multixact/offsets";
            default:
                throw new IllegalArgumentException("unknown SLRU kind " + kind + " (0 clog, 1 members, 2 offsets)");
        }
    }

    static String slruSegment(int kind, int segno) {
        return slruDir(kind) + "/" + String.format("%04X", segno);
    }

    static String twoPhaseFile(int xid) {
        return "pg_twophase/" + String.format("%08X", xid);
    }
}

package dev.strata.replication.basebackup;

import dev.strata.storage.key.Key;
import dev.strata.storage.pg.RelTag;
import dev.strata.storage.pgdata.Datadir;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a path in a base backup is, for the import: the control file, a relmap file, a relation segment file, a
 * database directory, an SLRU segment, a two-phase state file, or something the import does not need (config
 * files, PG_VERSION, pg_internal.init, empty directories...).
 *
 * <p>Paths of the data directory archive are relative to the data directory ({@code base/5/16384_vm.1}); paths of
 * a tablespace archive are relative to the tablespace directory ({@code PG_15_202209061/5/16384}).
 */
public sealed interface PgDataPath {
    /** {@code global/pg_control}. */
    record ControlFile() implements PgDataPath {
    }

    /** {@code global/pg_filenode.map} (spc 1664, db 0) or {@code base/<db>/pg_filenode.map}. */
    record RelmapFile(int spc, int db) implements PgDataPath {
    }

    /** A relation fork's segment file: blocks from {@code segno * 131072}. */
    record RelationFile(RelTag rel, int segno) implements PgDataPath {
    }

    /** A database directory ({@code global}, {@code base/<db>}, {@code PG_15_.../<db>}). */
    record DatabaseDir(int spc, int db) implements PgDataPath {
    }

    /** {@code pg_xact/XXXX}, {@code pg_multixact/offsets/XXXX}, {@code pg_multixact/members/XXXX}. */
    record SlruSegment(int kind, int segno) implements PgDataPath {
    }

    /** {@code pg_twophase/XXXXXXXX}. */
    record TwoPhaseFile(int xid) implements PgDataPath {
    }

    /** Anything the import does not store. */
    record Other() implements PgDataPath {
    }

    Pattern REL_FILE = Pattern.compile("(\\d+)(?:_(fsm|vm|init))?(?:\\.(\\d+))?");
    Pattern HEX = Pattern.compile("[0-9A-Fa-f]{4,8}");
    int RELSEG_SIZE = 131072;

    /**
     * Classifies a path.
     *
     * @param tablespace the tablespace OID of a tablespace archive, or null for the data directory archive
     * @param isDir      whether the tar entry is a directory
     */
    static PgDataPath of(Integer tablespace, String path, boolean isDir) {
        String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        if (p.startsWith("./")) {
            p = p.substring(2);
        }
        String[] parts = p.split("/");
        if (tablespace != null) {
            return inDatabase(tablespace, parts, 1, isDir);
        }
        switch (parts[0]) {
            case "global":
                if (parts.length == 1) {
                    return isDir ? new DatabaseDir(Datadir.GLOBALTABLESPACE_OID, 0) : new Other();
                }
                if (parts.length == 2 && parts[1].equals("pg_control")) {
                    return new ControlFile();
                }
                return inDirectory(Datadir.GLOBALTABLESPACE_OID, 0, parts, 1, isDir);
            case "base":
                return inDatabase(Datadir.DEFAULTTABLESPACE_OID, parts, 1, isDir);
            case "pg_xact":
                return slru(Key.SLRU_CLOG, parts, 1, isDir);
            case "pg_multixact":
                if (parts.length >= 2 && parts[1].equals("offsets")) {
                    return slru(Key.SLRU_MULTIXACT_OFFSETS, parts, 2, isDir);
                }
                if (parts.length >= 2 && parts[1].equals("members")) {
                    return slru(Key.SLRU_MULTIXACT_MEMBERS, parts, 2, isDir);
                }
                return new Other();
            case "pg_twophase":
                if (!isDir && parts.length == 2 && parts[1].matches("[0-9A-Fa-f]{8}")) {
                    return new TwoPhaseFile(Integer.parseUnsignedInt(parts[1], 16));
                }
                return new Other();
            default:
                return new Other();
        }
    }

    /** {@code <db>[/<file>]} starting at parts[i]. */
    private static PgDataPath inDatabase(int spc, String[] parts, int i, boolean isDir) {
        if (parts.length <= i || !parts[i].matches("\\d+")) {
            return new Other();
        }
        int db = Integer.parseUnsignedInt(parts[i]);
        if (parts.length == i + 1) {
            return isDir ? new DatabaseDir(spc, db) : new Other();
        }
        return inDirectory(spc, db, parts, i + 1, isDir);
    }

    private static PgDataPath inDirectory(int spc, int db, String[] parts, int i, boolean isDir) {
        if (isDir || parts.length != i + 1) {
            return new Other();
        }
        String name = parts[i];
        if (name.equals("pg_filenode.map")) {
            return new RelmapFile(spc, db);
        }
        Matcher m = REL_FILE.matcher(name);
        if (!m.matches()) {
            return new Other();
        }
        int fork = m.group(2) == null ? RelTag.MAIN_FORKNUM : RelTag.parseFork(m.group(2));
        int segno = m.group(3) == null ? 0 : Integer.parseInt(m.group(3));
        return new RelationFile(new RelTag(spc, db, Integer.parseUnsignedInt(m.group(1)), fork), segno);
    }

    private static PgDataPath slru(int kind, String[] parts, int i, boolean isDir) {
        if (isDir || parts.length != i + 1 || !HEX.matcher(parts[i]).matches()) {
            return new Other();
        }
        return new SlruSegment(kind, Integer.parseUnsignedInt(parts[i], 16));
    }
}

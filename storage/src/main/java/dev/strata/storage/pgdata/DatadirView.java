package dev.strata.storage.pgdata;

import dev.strata.storage.pg.RelTag;

import java.util.List;

/**
 * A PostgreSQL data directory as it was at an LSN, read from a timeline's keys (the mapping of DESIGN part B: rel
 * blocks and sizes, database and relation directories, SLRU segments, relmap files, two-phase files, control file
 * and checkpoint). The page service and the backups read through this; ingest writes the same keys.
 *
 * <p>Every method takes the LSN to read at. Missing things are {@link dev.strata.storage.KeyNotFoundException}s
 * whose message names what was missing and the LSN.
 */
public interface DatadirView {
    /** A database: tablespace and database OIDs. */
    record Database(int spcNode, int dbNode) {
    }

    boolean relExists(RelTag rel, long lsn);

    /** Number of blocks of the fork. */
    int relSize(RelTag rel, long lsn);

    /** One 8192-byte block of a relation fork. */
    byte[] relPage(RelTag rel, int blkno, long lsn);

    /**
     * A reader of relation blocks in ascending order (a run of blocks of one fork) for one thread, answering as
     * {@link #relPage} does; the view may read such runs more cheaply than block by block.
     */
    default PageScanner pageScanner() {
        return this::relPage;
    }

    /** {@link #relPage} for one thread reading blocks in ascending order; see {@link #pageScanner()}. */
    @FunctionalInterface
    interface PageScanner {
        byte[] relPage(RelTag rel, int blkno, long lsn);
    }

    /** Every database with its tablespace (including the shared "database" 0 in global, spc 1664). */
    List<Database> databases(long lsn);

    /** Every relation fork of one database, in RelTag order. */
    List<RelTag> relations(int spcNode, int dbNode, long lsn);

    /** Total size in bytes of every fork of every relation of database {@code dbNode} (for DbSize). */
    long databaseSize(int dbNode, long lsn);

    /** The 512-byte pg_filenode.map of a database (or of global for spc 1664, db 0), or null when there is none. */
    byte[] relmapFile(int spcNode, int dbNode, long lsn);

    /** Segment numbers of an SLRU (kind: {@link dev.strata.storage.key.Key#SLRU_CLOG} and friends). */
    List<Integer> slruSegments(int kind, long lsn);

    /** Number of pages in one SLRU segment. */
    int slruSegmentSize(int kind, int segno, long lsn);

    /** One 8192-byte SLRU page. */
    byte[] slruPage(int kind, int segno, int blkno, long lsn);

    /** A whole SLRU segment: its pages concatenated. */
    byte[] slruSegment(int kind, int segno, long lsn);

    /** Transaction ids with a two-phase state file. */
    List<Integer> twoPhaseXids(long lsn);

    /** The two-phase state file of {@code xid}. */
    byte[] twoPhaseFile(int xid, long lsn);

    /** The 8192-byte pg_control image as last imported or updated. */
    byte[] controlFile(long lsn);

    /** The 88-byte CheckPoint struct (as in a checkpoint record), kept current by ingest. */
    byte[] checkpoint(long lsn);
}

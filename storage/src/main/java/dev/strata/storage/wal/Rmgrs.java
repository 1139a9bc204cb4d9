package dev.strata.storage.wal;

/**
 * Names of PostgreSQL 15's resource managers and record types, spelled as pg_waldump prints them (the
 * {@code rm_name} column of {@code rmgrlist.h} and each rmgr's {@code *_identify} in
 * {@code backend/access/rmgrdesc/}).
 *
 * <p>Most rmgrs identify a record by {@code xl_info & 0xF0}; Transaction uses {@code xl_info & 0x70}; CommitTs
 * and ReplicationOrigin look at the whole {@code xl_info} byte (so a record with low bits set is unknown to
 * them); Generic has a single name. Unknown combinations print as pg_waldump does: {@code UNKNOWN (hex)}.
 * Custom resource managers (ids 128..255) are named {@code custom###} and have no known record types. Everything
 * is precomputed into tables, so lookups allocate nothing.
 */
public final class Rmgrs {
    public static final int RM_XLOG_ID = 0;
    public static final int RM_XACT_ID = 1;
    public static final int RM_SMGR_ID = 2;
    public static final int RM_CLOG_ID = 3;
    public static final int RM_DBASE_ID = 4;
    public static final int RM_TBLSPC_ID = 5;
    public static final int RM_MULTIXACT_ID = 6;
    public static final int RM_RELMAP_ID = 7;
    public static final int RM_STANDBY_ID = 8;
    public static final int RM_HEAP2_ID = 9;
    public static final int RM_HEAP_ID = 10;
    public static final int RM_BTREE_ID = 11;
    public static final int RM_HASH_ID = 12;
    public static final int RM_GIN_ID = 13;
    public static final int RM_GIST_ID = 14;
    public static final int RM_SEQ_ID = 15;
    public static final int RM_SPGIST_ID = 16;
    public static final int RM_BRIN_ID = 17;
    public static final int RM_COMMIT_TS_ID = 18;
    public static final int RM_REPLORIGIN_ID = 19;
    public static final int RM_GENERIC_ID = 20;
    public static final int RM_LOGICALMSG_ID = 21;

    private static final String[] BUILTIN = {"XLOG", "Transaction", "Storage", "CLOG", "Database", "Tablespace",
        "MultiXact", "RelMap", "Standby", "Heap2", "Heap", "Btree", "Hash", "Gin", "Gist", "Sequence", "SPGist",
        "BRIN", "CommitTs", "ReplicationOrigin", "Generic", "LogicalMessage"};

    /** Record type names per rmgr, indexed by the high nibble of xl_info (0x00, 0x10 ... 0xF0). */
    private static final String[][] TYPES = new String[BUILTIN.length][];
    private static final String[] NAMES = new String[256];
    /** The printed identification for every (rmid, xl_info) pair: name or "UNKNOWN (xx)"; null if invalid rmid. */
    private static final String[][] IDENTIFY = new String[256][];
    private static final byte[][][] IDENTIFY_ASCII = new byte[256][][];

    static {
        TYPES[RM_XLOG_ID] = nibbles("CHECKPOINT_SHUTDOWN", "CHECKPOINT_ONLINE", "NOOP", "NEXTOID", "SWITCH",
                "BACKUP_END", "PARAMETER_CHANGE", "RESTORE_POINT", "FPW_CHANGE", "END_OF_RECOVERY", "FPI_FOR_HINT",
                "FPI", null, "OVERWRITE_CONTRECORD");
        TYPES[RM_XACT_ID] = nibbles("COMMIT", "PREPARE", "ABORT", "COMMIT_PREPARED", "ABORT_PREPARED", "ASSIGNMENT",
                "INVALIDATION");
        TYPES[RM_SMGR_ID] = nibbles(null, "CREATE", "TRUNCATE");
        TYPES[RM_CLOG_ID] = nibbles("ZEROPAGE", "TRUNCATE");
        TYPES[RM_DBASE_ID] = nibbles("CREATE_FILE_COPY", "CREATE_WAL_LOG", "DROP");
        TYPES[RM_TBLSPC_ID] = nibbles("CREATE", "DROP");
        TYPES[RM_MULTIXACT_ID] = nibbles("ZERO_OFF_PAGE", "ZERO_MEM_PAGE", "CREATE_ID", "TRUNCATE_ID");
        TYPES[RM_RELMAP_ID] = nibbles("UPDATE");
        TYPES[RM_STANDBY_ID] = nibbles("LOCK", "RUNNING_XACTS", "INVALIDATIONS");
        TYPES[RM_HEAP2_ID] = nibbles("REWRITE", "PRUNE", "VACUUM", "FREEZE_PAGE", "VISIBLE", "MULTI_INSERT",
                "LOCK_UPDATED", "NEW_CID", null, null, null, null, null, "MULTI_INSERT+INIT");
        TYPES[RM_HEAP_ID] = nibbles("INSERT", "DELETE", "UPDATE", "TRUNCATE", "HOT_UPDATE", "HEAP_CONFIRM", "LOCK",
                "INPLACE", "INSERT+INIT", null, "UPDATE+INIT", null, "HOT_UPDATE+INIT");
        TYPES[RM_BTREE_ID] = nibbles("INSERT_LEAF", "INSERT_UPPER", "INSERT_META", "SPLIT_L", "SPLIT_R",
                "INSERT_POST", "DEDUP", "DELETE", "UNLINK_PAGE", "UNLINK_PAGE_META", "NEWROOT", "MARK_PAGE_HALFDEAD",
                "VACUUM", "REUSE_PAGE", "META_CLEANUP");
        TYPES[RM_HASH_ID] = nibbles("INIT_META_PAGE", "INIT_BITMAP_PAGE", "INSERT", "ADD_OVFL_PAGE",
                "SPLIT_ALLOCATE_PAGE", "SPLIT_PAGE", "SPLIT_COMPLETE", "MOVE_PAGE_CONTENTS", "SQUEEZE_PAGE", "DELETE",
                "SPLIT_CLEANUP", "UPDATE_META_PAGE", "VACUUM_ONE_PAGE");
        TYPES[RM_GIN_ID] = nibbles(null, "CREATE_PTREE", "INSERT", "SPLIT", "VACUUM_PAGE", "DELETE_PAGE",
                "UPDATE_META_PAGE", "INSERT_LISTPAGE", "DELETE_LISTPAGE", "VACUUM_DATA_LEAF_PAGE");
        TYPES[RM_GIST_ID] = nibbles("PAGE_UPDATE", "DELETE", "PAGE_REUSE", "PAGE_SPLIT", null, null, "PAGE_DELETE",
                "ASSIGN_LSN");
        TYPES[RM_SEQ_ID] = nibbles("LOG");
        TYPES[RM_SPGIST_ID] = nibbles(null, "ADD_LEAF", "MOVE_LEAFS", "ADD_NODE", "SPLIT_TUPLE", "PICKSPLIT",
                "VACUUM_LEAF", "VACUUM_ROOT", "VACUUM_REDIRECT");
        TYPES[RM_BRIN_ID] = nibbles("CREATE_INDEX", "INSERT", "UPDATE", "SAMEPAGE_UPDATE", "REVMAP_EXTEND",
                "DESUMMARIZE", null, null, null, "INSERT+INIT", "UPDATE+INIT");
        TYPES[RM_COMMIT_TS_ID] = nibbles("ZEROPAGE", "TRUNCATE");
        TYPES[RM_REPLORIGIN_ID] = nibbles("SET", "DROP");
        TYPES[RM_GENERIC_ID] = nibbles();
        TYPES[RM_LOGICALMSG_ID] = nibbles("MESSAGE");
        for (int rmid = 0; rmid < 256; rmid++) {
            if (RecordDecoder.rmgrIdIsValid(rmid)) {
                NAMES[rmid] = rmid < BUILTIN.length ? BUILTIN[rmid] : String.format("custom%03d", rmid);
                IDENTIFY[rmid] = new String[256];
                IDENTIFY_ASCII[rmid] = new byte[256][];
                for (int info = 0; info < 256; info++) {
                    String id = identifyUncached(rmid, info);
                    IDENTIFY[rmid][info] = id != null ? id : "UNKNOWN (" + Integer.toHexString(info & 0xF0) + ")";
                    IDENTIFY_ASCII[rmid][info] = AsciiLine.ascii(IDENTIFY[rmid][info]);
                }
            }
        }
    }

    private Rmgrs() {
    }

    private static String[] nibbles(String... names) {
        return java.util.Arrays.copyOf(names, 16);
    }

    /** The rmgr's name as pg_waldump prints it, or null for an id PostgreSQL 15 does not accept. */
    public static String name(int rmid) {
        return rmid >= 0 && rmid < 256 ? NAMES[rmid] : null;
    }

    /**
     * The record type name pg_waldump prints after {@code desc:} for this rmgr and {@code xl_info} byte, e.g.
     * {@code INSERT+INIT}, {@code COMMIT}, {@code UNKNOWN (e0)}.
     */
    public static String recordType(int rmid, int info) {
        String[] t = rmid >= 0 && rmid < 256 ? IDENTIFY[rmid] : null;
        return t == null ? "UNKNOWN (" + Integer.toHexString(info & 0xF0) + ")" : t[info & 0xFF];
    }

    /** {@link #recordType(int, int)} as ASCII bytes, for the formatter (rmid must be valid). */
    static byte[] recordTypeAscii(int rmid, int info) {
        return IDENTIFY_ASCII[rmid][info & 0xFF];
    }

    /** The record type name of a decoded record. */
    public static String recordType(DecodedRecord r) {
        return recordType(r.rmid(), r.info());
    }

    /** {@code *_identify(info)}: the name, or null where PostgreSQL's function returns NULL. */
    private static String identifyUncached(int rmid, int info) {
        if (rmid >= BUILTIN.length) {
            return null;
        }
        switch (rmid) {
            case RM_GENERIC_ID:
                return "Generic";
            case RM_XACT_ID:
                return TYPES[rmid][(info & 0x70) >> 4];
            case RM_COMMIT_TS_ID:
            case RM_REPLORIGIN_ID:
                return (info & 0x0F) != 0 ? null : TYPES[rmid][info >> 4];
            default:
                return TYPES[rmid][(info & 0xF0) >> 4];
        }
    }
}

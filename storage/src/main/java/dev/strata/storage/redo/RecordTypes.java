package dev.strata.storage.redo;

/**
 * Names of PostgreSQL 15's resource managers and record types, spelled as pg_waldump spells them
 * ({@code rm_identify}), for tables and error messages.
 */
public final class RecordTypes {
    private static final String[] RMGRS = {"XLOG", "Transaction", "Storage", "CLOG", "Database", "Tablespace",
        "MultiXact", "RelMap", "Standby", "Heap2", "Heap", "Btree", "Hash", "Gin", "Gist", "Sequence", "SPGist",
        "BRIN", "CommitTs", "ReplicationOrigin", "Generic", "LogicalMessage"};

    private static final String[][] TYPES = new String[RMGRS.length][];

    static {
        TYPES[0] = byCode("CHECKPOINT_SHUTDOWN", "CHECKPOINT_ONLINE", "NOOP", "NEXTOID", "SWITCH", "BACKUP_END",
                "PARAMETER_CHANGE", "RESTORE_POINT", "FPW_CHANGE", "END_OF_RECOVERY", "FPI_FOR_HINT", "FPI", null,
                "OVERWRITE_CONTRECORD");
        TYPES[1] = byCode("COMMIT", "PREPARE", "ABORT", "COMMIT_PREPARED", "ABORT_PREPARED", "ASSIGNMENT",
                "INVALIDATION");
        TYPES[2] = byCode(null, "CREATE", "TRUNCATE");
        TYPES[3] = byCode("ZEROPAGE", "TRUNCATE");
        TYPES[4] = byCode("CREATE_FILE_COPY", "CREATE_WAL_LOG", "DROP");
        TYPES[5] = byCode("CREATE", "DROP");
        TYPES[6] = byCode("ZERO_OFF_PAGE", "ZERO_MEM_PAGE", "CREATE_ID", "TRUNCATE_ID");
        TYPES[7] = byCode("UPDATE");
        TYPES[8] = byCode("LOCK", "RUNNING_XACTS", "INVALIDATIONS");
        TYPES[9] = byCode("REWRITE", "PRUNE", "VACUUM", "FREEZE_PAGE", "VISIBLE", "MULTI_INSERT", "LOCK_UPDATED",
                "NEW_CID");
        TYPES[10] = byCode("INSERT", "DELETE", "UPDATE", "TRUNCATE", "HOT_UPDATE", "CONFIRM", "LOCK", "INPLACE");
        TYPES[11] = byCode("INSERT_LEAF", "INSERT_UPPER", "INSERT_META", "SPLIT_L", "SPLIT_R", "INSERT_POST",
                "DEDUP", "DELETE", "UNLINK_PAGE", "UNLINK_PAGE_META", "NEWROOT", "MARK_PAGE_HALFDEAD", "VACUUM",
                "REUSE_PAGE", "META_CLEANUP");
        TYPES[12] = byCode("INIT_META_PAGE", "INIT_BITMAP_PAGE", "INSERT", "ADD_OVFL_PAGE", "SPLIT_ALLOCATE_PAGE",
                "SPLIT_PAGE", "SPLIT_COMPLETE", "MOVE_PAGE_CONTENTS", "SQUEEZE_PAGE", "DELETE", "SPLIT_CLEANUP",
                "UPDATE_META_PAGE", "VACUUM_ONE_PAGE");
        TYPES[13] = byCode(null, "CREATE_PTREE", "INSERT", "SPLIT", "VACUUM_PAGE", "DELETE_PAGE",
                "UPDATE_META_PAGE", "INSERT_LISTPAGE", "DELETE_LISTPAGE", "VACUUM_DATA_LEAF_PAGE");
        TYPES[14] = byCode("PAGE_UPDATE", "DELETE", "PAGE_REUSE", "PAGE_SPLIT", null, null, "PAGE_DELETE",
                "ASSIGN_LSN");
        TYPES[15] = byCode("LOG");
        TYPES[16] = byCode(null, "ADD_LEAF", "MOVE_LEAFS", "ADD_NODE", "SPLIT_TUPLE", "PICKSPLIT", "VACUUM_LEAF",
                "VACUUM_ROOT", "VACUUM_REDIRECT");
        TYPES[17] = byCode("CREATE_INDEX", "INSERT", "UPDATE", "SAMEPAGE_UPDATE", "REVMAP_EXTEND", "DESUMMARIZE");
        TYPES[18] = byCode("ZEROPAGE", "TRUNCATE");
        TYPES[19] = byCode("SET", "DROP");
        TYPES[20] = byCode("Generic");
        TYPES[21] = byCode("MESSAGE");
    }

    private RecordTypes() {
    }

    private static String[] byCode(String... names) {
        return names;
    }

    /** The resource manager's name, or {@code rmgr<N>} for ids PostgreSQL 15 does not define. */
    public static String rmgrName(int rmid) {
        return rmid >= 0 && rmid < RMGRS.length ? RMGRS[rmid] : rmid >= 128 ? "custom" + rmid : "rmgr" + rmid;
    }

    /**
     * The record type, e.g. {@code INSERT+INIT} or {@code COMMIT}, from the full {@code xl_info} byte; unknown
     * codes print as {@code UNKNOWN(0xNN)}.
     */
    public static String typeName(int rmid, int info) {
        int rmInfo = info & 0xF0;
        boolean opmask70 = rmid == 1 || rmid == 9 || rmid == 10 || rmid == 17;
        int code = opmask70 ? rmInfo & 0x70 : rmInfo;
        String[] names = rmid >= 0 && rmid < TYPES.length ? TYPES[rmid] : null;
        int idx = code >> 4;
        String name = names != null && idx < names.length ? names[idx] : null;
        if (name == null) {
            return "UNKNOWN(0x" + Integer.toHexString(rmInfo) + ")";
        }
        if (opmask70 && (rmInfo & 0x80) != 0 && rmid != 1) {
            name += "+INIT";
        }
        return name;
    }

    /** {@code Rmgr/TYPE}, the label used in tables and errors. */
    public static String label(int rmid, int info) {
        return rmgrName(rmid) + "/" + typeName(rmid, info);
    }
}

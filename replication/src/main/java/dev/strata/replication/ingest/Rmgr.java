package dev.strata.replication.ingest;

/** PostgreSQL 15 resource manager ids and the record types ingest interprets. */
final class Rmgr {
    static final int XLOG = 0;
    static final int XACT = 1;
    static final int SMGR = 2;
    static final int CLOG = 3;
    static final int DBASE = 4;
    static final int TBLSPC = 5;
    static final int MULTIXACT = 6;
    static final int RELMAP = 7;
    static final int STANDBY = 8;
    static final int HEAP2 = 9;
    static final int HEAP = 10;

    // XLOG (info & 0xF0)
    static final int XLOG_CHECKPOINT_SHUTDOWN = 0x00;
    static final int XLOG_CHECKPOINT_ONLINE = 0x10;
    static final int XLOG_NEXTOID = 0x30;
    static final int XLOG_PARAMETER_CHANGE = 0x60;

    // XACT (info & 0x70)
    static final int XACT_OPMASK = 0x70;
    static final int XACT_HAS_INFO = 0x80;
    static final int XACT_COMMIT = 0x00;
    static final int XACT_PREPARE = 0x10;
    static final int XACT_ABORT = 0x20;
    static final int XACT_COMMIT_PREPARED = 0x30;
    static final int XACT_ABORT_PREPARED = 0x40;
    static final int XACT_ASSIGNMENT = 0x50;

    // SMGR
    static final int SMGR_CREATE = 0x10;
    static final int SMGR_TRUNCATE = 0x20;
    static final int SMGR_TRUNCATE_HEAP = 0x0001;
    static final int SMGR_TRUNCATE_VM = 0x0002;
    static final int SMGR_TRUNCATE_FSM = 0x0004;

    // CLOG
    static final int CLOG_ZEROPAGE = 0x00;
    static final int CLOG_TRUNCATE = 0x10;

    // DBASE
    static final int DBASE_CREATE_FILE_COPY = 0x00;
    static final int DBASE_CREATE_WAL_LOG = 0x10;
    static final int DBASE_DROP = 0x20;

    // MULTIXACT
    static final int MULTIXACT_ZERO_OFF_PAGE = 0x00;
    static final int MULTIXACT_ZERO_MEM_PAGE = 0x10;
    static final int MULTIXACT_CREATE_ID = 0x20;
    static final int MULTIXACT_TRUNCATE_ID = 0x30;

    // HEAP / HEAP2 (info & 0x70)
    static final int HEAP_OPMASK = 0x70;
    static final int HEAP_INSERT = 0x00;
    static final int HEAP_DELETE = 0x10;
    static final int HEAP_UPDATE = 0x20;
    static final int HEAP_HOT_UPDATE = 0x40;
    static final int HEAP_LOCK = 0x60;
    static final int HEAP2_MULTI_INSERT = 0x50;
    static final int HEAP2_LOCK_UPDATED = 0x60;

    private Rmgr() {
    }
}

package dev.strata.wire.pagestream;

import dev.strata.storage.pg.RelTag;

/**
 * One parsed page-service request. Which fields are set depends on the tag: {@code rel} for Exists, Nblocks and
 * GetPage, {@code blkno} for GetPage, {@code dbNode} for DbSize, {@code slruKind}/{@code slruSegno} for
 * GetSlruSegment. {@code reqId} is 0 in protocol v2.
 */
public record PageRequest(int tag, long reqId, long requestLsn, long notModifiedSince, RelTag rel, int blkno,
                          int dbNode, int slruKind, int slruSegno) {
    public static final int EXISTS = 0;
    public static final int NBLOCKS = 1;
    public static final int GET_PAGE = 2;
    public static final int DB_SIZE = 3;
    public static final int GET_SLRU_SEGMENT = 4;

    private static final String[] NAMES = {"exists", "nblocks", "getpage", "dbsize", "get_slru_segment"};

    public static PageRequest exists(long reqId, long lsn, long nms, RelTag rel) {
        return new PageRequest(EXISTS, reqId, lsn, nms, rel, 0, 0, 0, 0);
    }

    public static PageRequest nblocks(long reqId, long lsn, long nms, RelTag rel) {
        return new PageRequest(NBLOCKS, reqId, lsn, nms, rel, 0, 0, 0, 0);
    }

    public static PageRequest getPage(long reqId, long lsn, long nms, RelTag rel, int blkno) {
        return new PageRequest(GET_PAGE, reqId, lsn, nms, rel, blkno, 0, 0, 0);
    }

    public static PageRequest dbSize(long reqId, long lsn, long nms, int dbNode) {
        return new PageRequest(DB_SIZE, reqId, lsn, nms, null, 0, dbNode, 0, 0);
    }

    public static PageRequest slruSegment(long reqId, long lsn, long nms, int kind, int segno) {
        return new PageRequest(GET_SLRU_SEGMENT, reqId, lsn, nms, null, 0, 0, kind, segno);
    }

    /** The request kind's metric name (exists, nblocks, getpage, dbsize, get_slru_segment). */
    public static String typeName(int tag) {
        return tag >= 0 && tag < NAMES.length ? NAMES[tag] : "invalid";
    }
}

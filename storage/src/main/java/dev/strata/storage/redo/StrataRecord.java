package dev.strata.storage.redo;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Records of Strata's own, stored as {@link dev.strata.storage.value.Value#STRATA_RECORD} values. They carry the
 * effects PostgreSQL applies to a page that the WAL record does not reference as a block, so that every key can be
 * rebuilt from its own values alone: the visibility-map bits heap records clear, the visibility map's tail zeroed by
 * a truncation, and SLRU changes (CLOG, MultiXact) made by transaction and multixact records.
 *
 * <p>Encoding (little-endian):
 * <pre>
 * u8 kind, then by kind:
 *   1 CLEAR_VM_FLAGS       i32 newHeapBlkno (-1 = none), i32 oldHeapBlkno (-1 = none), u8 flags
 *                          clear {@code flags} (VISIBILITYMAP_ALL_VISIBLE 0x01 | ALL_FROZEN 0x02) for each heap
 *                          block given, when it maps to the VM page this value is stored under; an all-zero page
 *                          is PageInit'ed first; the page LSN is not changed
 *   2 CLOG_SET_STATUS      u8 status (1 committed, 2 aborted, 3 sub-committed), i64 commitTimestamp (0 if none;
 *                          not applied: Strata keeps no commit-timestamp SLRU), u32 count, count × u32 xid; the
 *                          xids on the CLOG page this value is stored under get the status (others are ignored);
 *                          sub-committed never overwrites committed
 *   3 MULTIXACT_OFFSET     u32 multiXactId, u32 offset: the offsets entry of the multixact id (on its offsets
 *                          page). A CREATE_ID record gives two: the new multixact's and, as PostgreSQL 15.16 and
 *                          later write it, the next multixact's ({@code offset + nmembers}, 0 skipped)
 *   4 MULTIXACT_MEMBERS    u32 startOffset, u32 count, count × (u32 xid, u32 status); the members whose offsets fall
 *                          on the members page this value is stored under are written there
 *   5 TRUNCATE_VM          u32 newHeapBlocks: bits for heap blocks at and beyond it are cleared on this VM page
 *                          (the tail of the page holding that block; nothing on earlier pages)
 * </pre>
 * {@link StrataEffects} computes these values from a decoded record; SLRU pages without a base start from zeros.
 */
public final class StrataRecord {
    public static final int CLEAR_VM_FLAGS = 1;
    public static final int CLOG_SET_STATUS = 2;
    public static final int MULTIXACT_OFFSET = 3;
    public static final int MULTIXACT_MEMBERS = 4;
    public static final int TRUNCATE_VM = 5;

    public static final int CLOG_COMMITTED = 1;
    public static final int CLOG_ABORTED = 2;
    public static final int CLOG_SUB_COMMITTED = 3;

    private StrataRecord() {
    }

    public static byte[] clearVmFlags(int newHeapBlkno, int oldHeapBlkno, int flags) {
        return buf(10).put((byte) CLEAR_VM_FLAGS).putInt(newHeapBlkno).putInt(oldHeapBlkno).put((byte) flags).array();
    }

    public static byte[] clogSetStatus(int status, long commitTimestamp, int[] xids) {
        ByteBuffer b = buf(1 + 1 + 8 + 4 + 4 * xids.length).put((byte) CLOG_SET_STATUS).put((byte) status)
                .putLong(commitTimestamp).putInt(xids.length);
        for (int xid : xids) {
            b.putInt(xid);
        }
        return b.array();
    }

    public static byte[] multixactOffset(int multiXactId, int offset) {
        return buf(9).put((byte) MULTIXACT_OFFSET).putInt(multiXactId).putInt(offset).array();
    }

    public static byte[] multixactMembers(int startOffset, int[] xids, int[] statuses) {
        if (xids.length != statuses.length) {
            throw new IllegalArgumentException(xids.length + " xids but " + statuses.length + " statuses");
        }
        ByteBuffer b = buf(1 + 8 + 8 * xids.length).put((byte) MULTIXACT_MEMBERS).putInt(startOffset)
                .putInt(xids.length);
        for (int i = 0; i < xids.length; i++) {
            b.putInt(xids[i]).putInt(statuses[i]);
        }
        return b.array();
    }

    public static byte[] truncateVm(int newHeapBlocks) {
        return buf(5).put((byte) TRUNCATE_VM).putInt(newHeapBlocks).array();
    }

    /** The kind byte of an encoded record. */
    public static int kind(byte[] payload) {
        if (payload.length == 0) {
            throw new IllegalArgumentException("empty Strata record");
        }
        return payload[0] & 0xFF;
    }

    /** A little-endian reader positioned after the kind byte. */
    public static ByteBuffer body(byte[] payload) {
        return ByteBuffer.wrap(payload, 1, payload.length - 1).slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    private static ByteBuffer buf(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }
}

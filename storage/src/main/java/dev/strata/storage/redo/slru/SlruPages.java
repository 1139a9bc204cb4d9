package dev.strata.storage.redo.slru;

import dev.strata.storage.key.Key;
import dev.strata.storage.redo.page.Bytes;

/**
 * SLRU page layouts of PostgreSQL 15 (8192-byte pages with no header, 32 pages per segment file) and the mapping
 * from page numbers to Strata keys: page {@code p} of an SLRU lives at {@code Key.slruBlock(kind, p / 32, p % 32)}.
 * <pre>
 * CLOG (pg_xact)                 2 bits per xid, 32768 xids per page: page X / 32768, byte (X % 32768) / 4,
 *                                shift (X % 4) * 2; 0 in progress, 1 committed, 2 aborted, 3 sub-committed
 * MultiXact offsets              u32 per multixact id, 2048 per page: page M / 2048, byte (M % 2048) * 4
 * MultiXact members              20-byte groups of {4 flag bytes, 4 xids}, 409 groups = 1636 members per page;
 *                                member offset O: page O / 1636, group ((O / 4) % 409) * 20, flag byte
 *                                group + O % 4 (holds the status), xid at group + 4 + (O % 4) * 4
 * </pre>
 */
public final class SlruPages {
    public static final int BLCKSZ = 8192;
    public static final int SLRU_PAGES_PER_SEGMENT = 32;
    public static final int CLOG_XACTS_PER_PAGE = BLCKSZ * 4;
    public static final int MULTIXACT_OFFSETS_PER_PAGE = BLCKSZ / 4;
    public static final int MULTIXACT_MEMBERS_PER_GROUP = 4;
    public static final int MULTIXACT_MEMBERGROUP_SIZE = 20;
    public static final int MULTIXACT_MEMBERGROUPS_PER_PAGE = BLCKSZ / MULTIXACT_MEMBERGROUP_SIZE;
    public static final int MULTIXACT_MEMBERS_PER_PAGE = MULTIXACT_MEMBERGROUPS_PER_PAGE * MULTIXACT_MEMBERS_PER_GROUP;

    public static final int TRANSACTION_STATUS_COMMITTED = 1;
    public static final int TRANSACTION_STATUS_ABORTED = 2;
    public static final int TRANSACTION_STATUS_SUB_COMMITTED = 3;

    private SlruPages() {
    }

    /** The key of page {@code pageno} of an SLRU ({@link Key#SLRU_CLOG} etc.). */
    public static Key key(int kind, int pageno) {
        return Key.slruBlock(kind, pageno / SLRU_PAGES_PER_SEGMENT, pageno % SLRU_PAGES_PER_SEGMENT);
    }

    /** The page number of an SLRU block key. */
    public static int pageno(Key key) {
        return key.f4() * SLRU_PAGES_PER_SEGMENT + key.blockNumber();
    }

    public static int clogPage(int xid) {
        return Integer.divideUnsigned(xid, CLOG_XACTS_PER_PAGE);
    }

    public static int offsetsPage(int multi) {
        return Integer.divideUnsigned(multi, MULTIXACT_OFFSETS_PER_PAGE);
    }

    public static int membersPage(int memberOffset) {
        return Integer.divideUnsigned(memberOffset, MULTIXACT_MEMBERS_PER_PAGE);
    }

    /**
     * {@code TransactionIdSetStatusBit} during recovery: a request to mark an already committed xid
     * sub-committed is ignored.
     */
    public static void clogSetStatus(byte[] page, int xid, int status) {
        int inPage = Integer.remainderUnsigned(xid, CLOG_XACTS_PER_PAGE);
        int byteno = inPage / 4;
        int shift = (inPage % 4) * 2;
        int cur = (page[byteno] >> shift) & 3;
        if (status == TRANSACTION_STATUS_SUB_COMMITTED && cur == TRANSACTION_STATUS_COMMITTED) {
            return;
        }
        page[byteno] = (byte) ((page[byteno] & ~(3 << shift)) | (status << shift));
    }

    public static int clogGetStatus(byte[] page, int xid) {
        int inPage = Integer.remainderUnsigned(xid, CLOG_XACTS_PER_PAGE);
        return (page[inPage / 4] >> ((inPage % 4) * 2)) & 3;
    }

    /** The multixact id after {@code multi}, skipping InvalidMultiXactId (0) on wraparound. */
    public static int nextMultiXactId(int multi) {
        int next = multi + 1;
        return next == 0 ? 1 : next;
    }

    /**
     * The members offset PostgreSQL 15.16 and later store for the multixact after one starting at {@code offset}
     * with {@code nmembers} members ({@code RecordNewMultiXact} writes it so that the last multixact's member
     * count can be read from the SLRU; replay does the same): {@code offset + nmembers}, skipping 0.
     */
    public static int nextMultiXactOffset(int offset, int nmembers) {
        int next = offset + nmembers;
        return next == 0 ? 1 : next;
    }

    /** Offsets entry of {@code multi} = {@code offset} (RecordNewMultiXact). */
    public static void setMultiXactOffset(byte[] page, int multi, int offset) {
        Bytes.putI32(page, Integer.remainderUnsigned(multi, MULTIXACT_OFFSETS_PER_PAGE) * 4, offset);
    }

    /** Member {@code memberOffset} = (xid, status): the xid slot and the status byte of its group. */
    public static void setMultiXactMember(byte[] page, int memberOffset, int xid, int status) {
        int group = Integer.remainderUnsigned(Integer.divideUnsigned(memberOffset, MULTIXACT_MEMBERS_PER_GROUP),
                MULTIXACT_MEMBERGROUPS_PER_PAGE) * MULTIXACT_MEMBERGROUP_SIZE;
        int inGroup = Integer.remainderUnsigned(memberOffset, MULTIXACT_MEMBERS_PER_GROUP);
        Bytes.putI32(page, group + 4 + inGroup * 4, xid);
        page[group + inGroup] = (byte) status;
    }
}

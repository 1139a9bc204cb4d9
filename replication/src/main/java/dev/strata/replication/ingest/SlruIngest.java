package dev.strata.replication.ingest;

import dev.strata.storage.key.Key;
import dev.strata.storage.pgdata.DatadirModification;
import dev.strata.storage.redo.StrataRecord;
import dev.strata.storage.wal.DecodedRecord;

import java.nio.ByteBuffer;

/** CLOG and MultiXact records: page zeroing, truncation, and the offsets and members of a new multixact. */
final class SlruIngest {
    private static final byte[] ZERO_PAGE = new byte[8192];
    private static final int MAX_MEMBERS_SEGMENT =
            SlruLayout.segment(SlruLayout.membersPage(0xFFFF_FFFF));

    private final DatadirModification mod;
    private final CheckpointState cp;

    SlruIngest(DatadirModification mod, CheckpointState cp) {
        this.mod = mod;
        this.cp = cp;
    }

    void clog(DecodedRecord rec) {
        ByteBuffer d = rec.mainData();
        if (rec.rmgrInfo() == Rmgr.CLOG_ZEROPAGE) {
            zeroPage(Key.SLRU_CLOG, Integer.toUnsignedLong(d.getInt()));
        } else if (rec.rmgrInfo() == Rmgr.CLOG_TRUNCATE) {
            long cutoff = Integer.toUnsignedLong(d.getInt());
            int oldestXact = d.getInt();
            int oldestDb = d.getInt();
            cp.advanceOldestXid(oldestXact, oldestDb);
            for (int seg : mod.slruSegments(Key.SLRU_CLOG)) {
                if (SlruLayout.segmentPrecedesCutoff(seg, cutoff, true)) {
                    mod.dropSlruSegment(Key.SLRU_CLOG, seg);
                }
            }
        }
    }

    void multixact(DecodedRecord rec) {
        ByteBuffer d = rec.mainData();
        switch (rec.rmgrInfo()) {
            case Rmgr.MULTIXACT_ZERO_OFF_PAGE -> zeroPage(Key.SLRU_MULTIXACT_OFFSETS, Integer.toUnsignedLong(d.getInt()));
            case Rmgr.MULTIXACT_ZERO_MEM_PAGE -> zeroPage(Key.SLRU_MULTIXACT_MEMBERS, Integer.toUnsignedLong(d.getInt()));
            case Rmgr.MULTIXACT_CREATE_ID -> createId(rec, d);
            case Rmgr.MULTIXACT_TRUNCATE_ID -> truncate(d);
            default -> throw new IllegalArgumentException("unknown MultiXact record type 0x"
                    + Integer.toHexString(rec.rmgrInfo()));
        }
    }

    private void zeroPage(int kind, long pageno) {
        mod.putSlruImage(kind, SlruLayout.segment(pageno), SlruLayout.pageInSegment(pageno), ZERO_PAGE);
    }

    /**
     * {@code xl_multixact_create}: u32 mid, u32 moff, i32 nmembers, nmembers x {u32 xid, u32 status}. The offsets
     * entries go in as the record itself, the members as MULTIXACT_MEMBERS per members page.
     */
    private void createId(DecodedRecord rec, ByteBuffer d) {
        int mid = d.getInt();
        int moff = d.getInt();
        int n = d.getInt();
        int[] xids = new int[n];
        int[] statuses = new int[n];
        for (int i = 0; i < n; i++) {
            xids[i] = d.getInt();
            statuses[i] = d.getInt();
        }
        // PostgreSQL 15.16 and later also set the next multixact's offset entry, possibly on the same page: the
        // record itself goes on each offsets page it changes (redo sets the entries that fall on that page)
        long offPage = SlruLayout.offsetsPage(mid);
        int next = mid + 1 == 0 ? 1 : mid + 1;
        long nextPage = SlruLayout.offsetsPage(next);
        mod.putSlruPgRecord(Key.SLRU_MULTIXACT_OFFSETS, SlruLayout.segment(offPage), SlruLayout.pageInSegment(offPage),
                rec.raw());
        if (nextPage != offPage) {
            mod.putSlruPgRecord(Key.SLRU_MULTIXACT_OFFSETS, SlruLayout.segment(nextPage),
                    SlruLayout.pageInSegment(nextPage), rec.raw());
        }
        int i = 0;
        while (i < n) {
            long page = SlruLayout.membersPage(moff + i);
            int j = i;
            while (j < n && SlruLayout.membersPage(moff + j) == page) {
                j++;
            }
            mod.putSlruRecord(Key.SLRU_MULTIXACT_MEMBERS, SlruLayout.segment(page), SlruLayout.pageInSegment(page),
                    StrataRecord.multixactMembers(moff + i, java.util.Arrays.copyOfRange(xids, i, j),
                            java.util.Arrays.copyOfRange(statuses, i, j)));
            i = j;
        }
        cp.advanceMulti(mid + 1, moff + n);
        cp.advancePastXid(rec.xid());
        for (int x : xids) {
            cp.advancePastXid(x);
        }
    }

    /**
     * {@code xl_multixact_truncate}: u32 oldestMultiDB, u32 startTruncOff, u32 endTruncOff, u32 startTruncMemb,
     * u32 endTruncMemb. Members segments from start up to (not including) end go, with wraparound; offsets
     * segments go as SimpleLruTruncate does for the page of endTruncOff - 1.
     */
    private void truncate(ByteBuffer d) {
        int oldestDb = d.getInt();
        d.getInt();
        int endOff = d.getInt();
        int startMemb = d.getInt();
        int endMemb = d.getInt();
        cp.setOldestMulti(endOff, oldestDb);
        int seg = SlruLayout.segment(SlruLayout.membersPage(startMemb));
        int endSeg = SlruLayout.segment(SlruLayout.membersPage(endMemb));
        while (seg != endSeg) {
            mod.dropSlruSegment(Key.SLRU_MULTIXACT_MEMBERS, seg);
            seg = seg == MAX_MEMBERS_SEGMENT ? 0 : seg + 1;
        }
        int previous = endOff == 1 ? 0xFFFF_FFFF : endOff - 1;
        long cutoff = SlruLayout.offsetsPage(previous);
        for (int s : mod.slruSegments(Key.SLRU_MULTIXACT_OFFSETS)) {
            if (SlruLayout.segmentPrecedesCutoff(s, cutoff, false)) {
                mod.dropSlruSegment(Key.SLRU_MULTIXACT_OFFSETS, s);
            }
        }
    }
}

package dev.strata.replication.ingest;

import dev.strata.storage.StorageException;
import dev.strata.storage.key.Key;
import dev.strata.storage.pg.Lsn;
import dev.strata.storage.pgdata.CheckPointData;
import dev.strata.storage.pgdata.ControlFileData;
import dev.strata.storage.pgdata.DatadirModification;
import dev.strata.storage.timeline.Timeline;
import dev.strata.storage.wal.BlockRef;
import dev.strata.storage.wal.DecodedRecord;

import java.nio.ByteBuffer;

/**
 * Turns each decoded WAL record into values on the timeline, as one atomic record:
 * <ul>
 *   <li>every referenced block gets the whole record (will-init when the block has BKPBLOCK_WILL_INIT or lies
 *       beyond the fork's size), or, when the block carries an applied full-page image, that image with its page
 *       LSN set to the record's end (unless the page is new), as PostgreSQL's XLogReadBufferForRedo does;</li>
 *   <li>relation and database shape, relmap files ({@link RelIngest}); CLOG and MultiXact pages
 *       ({@link SlruIngest}); commit, abort and two-phase state ({@link XactIngest});</li>
 *   <li>the visibility-map bits heap records clear;</li>
 *   <li>the CheckPoint a later backup needs ({@link CheckpointState}) and the control file's parameters.</li>
 * </ul>
 * Records of other resource managers store only their block values. Not thread-safe: the ingest thread owns it.
 */
public final class WalIngest {
    private final DatadirModification mod;
    private final PageImages images;
    private final CheckpointState checkpoint = new CheckpointState();
    private final RelIngest rels;
    private final SlruIngest slru;
    private final XactIngest xact;
    private long records;
    private long walBytes;

    public WalIngest(DatadirModification mod, PageImages images) {
        this.mod = mod;
        this.images = images;
        this.rels = new RelIngest(mod);
        this.slru = new SlruIngest(mod, checkpoint);
        this.xact = new XactIngest(mod, checkpoint);
        preloadCheckpoint();
    }

    /**
     * Reads the stored CheckPoint now when the timeline already has one, so that the first record does not take a
     * path no later record takes: compiled code treats a branch never seen taken as a trap, and taking it
     * would throw away (and recompile) the compiled ingest path at every start of streaming.
     */
    private void preloadCheckpoint() {
        Timeline tl = mod.timeline();
        long at = tl.lastRecordLsn();
        if (at == Lsn.INVALID) {
            return;
        }
        byte[] stored = tl.getOrNull(Key.checkpoint(), at);
        if (stored != null) {
            checkpoint.load(CheckPointData.decode(stored));
        }
    }

    /** Records ingested by this instance. */
    public long records() {
        return records;
    }

    /** WAL bytes (end minus start LSN, summed) of the records ingested by this instance. */
    public long walBytes() {
        return walBytes;
    }

    /**
     * Stores one record and commits it; readers see all of it or none of it.
     *
     * @throws StorageException naming the record's LSN, resource manager and type when it cannot be ingested;
     *                          this instance (and its DatadirModification) must then be discarded
     */
    public void ingest(DecodedRecord rec) {
        mod.begin(rec.endLsn());
        try {
            if (!checkpoint.loaded()) {
                loadCheckpoint();
            }
            if (rec.xid() != 0) {
                checkpoint.advancePastXid(rec.xid());
            }
            putBlocks(rec);
            interpret(rec);
            if (checkpoint.takeModified()) {
                mod.putCheckpoint(checkpoint.get().encode());
            }
            mod.commit(rec.lsn());
        } catch (RuntimeException e) {
            throw new StorageException("ingesting the WAL record at " + Lsn.format(rec.lsn()) + " (rmgr "
                    + rec.rmid() + ", info 0x" + Integer.toHexString(rec.info()) + "): " + e.getMessage(), e);
        }
        records++;
        walBytes += rec.endLsn() - rec.lsn();
    }

    private void loadCheckpoint() {
        byte[] stored = mod.checkpoint();
        if (stored == null) {
            throw new IllegalStateException("the timeline has no CheckPoint value: it was never imported");
        }
        checkpoint.load(CheckPointData.decode(stored));
    }

    private void putBlocks(DecodedRecord rec) {
        for (int id = 0; id <= rec.maxBlockId(); id++) {
            BlockRef b = rec.block(id);
            if (b == null) {
                continue;
            }
            if (b.applyImage()) {
                byte[] page = images.restore(rec, b);
                if (!pageIsNew(page)) {
                    setPageLsn(page, rec.endLsn());
                }
                mod.putRelImage(b.rel(), b.blkno(), page);
            } else {
                mod.putRelRecord(b.rel(), b.blkno(), rec.raw(), b.willInit());
            }
        }
    }

    /** {@code PageIsNew}: pd_upper (bytes 14-15) is zero. */
    static boolean pageIsNew(byte[] page) {
        return page[14] == 0 && page[15] == 0;
    }

    /** pd_lsn: u32 xlogid (high half), u32 xrecoff (low half), little-endian. */
    static void setPageLsn(byte[] page, long lsn) {
        ByteBuffer b = ByteBuffer.wrap(page).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, (int) (lsn >>> 32)).putInt(4, (int) lsn);
    }

    private void interpret(DecodedRecord rec) {
        switch (rec.rmid()) {
            case Rmgr.XLOG -> xlog(rec);
            case Rmgr.XACT -> xact.ingest(rec);
            case Rmgr.SMGR -> rels.smgr(rec);
            case Rmgr.CLOG -> slru.clog(rec);
            case Rmgr.DBASE -> rels.dbase(rec);
            case Rmgr.MULTIXACT -> slru.multixact(rec);
            case Rmgr.RELMAP -> rels.relmap(rec);
            case Rmgr.STANDBY -> standby(rec);
            case Rmgr.HEAP, Rmgr.HEAP2 -> rels.heap(rec);
            default -> {
                // block values only
            }
        }
    }

    private void xlog(DecodedRecord rec) {
        ByteBuffer d = rec.mainData();
        switch (rec.rmgrInfo()) {
            case Rmgr.XLOG_NEXTOID -> checkpoint.setNextOid(d.getInt());
            case Rmgr.XLOG_CHECKPOINT_SHUTDOWN, Rmgr.XLOG_CHECKPOINT_ONLINE -> {
                byte[] cp = new byte[CheckPointData.SIZE];
                d.get(cp);
                checkpoint.checkpointRecord(CheckPointData.decode(cp),
                        rec.rmgrInfo() == Rmgr.XLOG_CHECKPOINT_SHUTDOWN);
            }
            case Rmgr.XLOG_PARAMETER_CHANGE -> {
                byte[] stored = mod.controlFile();
                if (stored != null) {
                    ControlFileData control = ControlFileData.parse(stored, "stored control file");
                    control.applyParameterChange(d);
                    mod.putControlFile(control.encode());
                }
            }
            default -> {
                // FPI records have only block values; the rest changes nothing stored
            }
        }
    }

    /** RUNNING_XACTS carries the primary's nextXid: xids assigned without WAL of their own still count. */
    private void standby(DecodedRecord rec) {
        if (rec.rmgrInfo() == 0x10) {
            ByteBuffer d = rec.mainData();
            int nextXid = d.getInt(12);
            checkpoint.advancePastXid(nextXid - 1);
        }
    }
}

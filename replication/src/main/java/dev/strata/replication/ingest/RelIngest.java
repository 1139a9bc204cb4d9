package dev.strata.replication.ingest;

import dev.strata.storage.pg.RelTag;
import dev.strata.storage.pgdata.DatadirModification;
import dev.strata.storage.redo.StrataRecord;
import dev.strata.storage.wal.BlockRef;
import dev.strata.storage.wal.DecodedRecord;

import java.nio.ByteBuffer;

/**
 * Records that change the shape of relations and databases (smgr create and truncate, database create and drop,
 * relmap updates), and the visibility-map bits heap records clear as a side effect.
 */
final class RelIngest {
    /** Heap blocks per visibility-map page: (8192 - 24) bytes x 4 heap blocks per byte. */
    static final int HEAPBLOCKS_PER_VM_PAGE = 32672;
    /** Free-space-map leaf slots per page ({@code LeafNodesPerPage} for 8 KB pages). */
    static final int SLOTS_PER_FSM_PAGE = 4069;
    private static final int FSM_TREE_DEPTH = 3;
    private static final int VM_ALL_VISIBLE = 0x01;
    private static final int VM_ALL_FROZEN = 0x02;
    private static final int VM_VALID_BITS = VM_ALL_VISIBLE | VM_ALL_FROZEN;
    private static final byte[] ZERO_PAGE = new byte[8192];

    private final DatadirModification mod;

    RelIngest(DatadirModification mod) {
        this.mod = mod;
    }

    /** {@code xl_smgr_create}: u32 spc, u32 db, u32 rel, i32 fork. */
    void smgr(DecodedRecord rec) {
        ByteBuffer d = rec.mainData();
        if (rec.rmgrInfo() == Rmgr.SMGR_CREATE) {
            int spc = d.getInt();
            int db = d.getInt();
            int rel = d.getInt();
            mod.createRel(new RelTag(spc, db, rel, d.getInt()));
        } else if (rec.rmgrInfo() == Rmgr.SMGR_TRUNCATE) {
            int blkno = d.getInt();
            RelTag main = new RelTag(d.getInt(), d.getInt(), d.getInt(), RelTag.MAIN_FORKNUM);
            truncate(main, blkno, d.getInt());
        }
    }

    /** {@code xl_smgr_truncate}: the main fork is created if missing, then each flagged fork truncated. */
    private void truncate(RelTag main, int blkno, int flags) {
        mod.createRel(main);
        if ((flags & Rmgr.SMGR_TRUNCATE_HEAP) != 0) {
            mod.truncateRel(main, blkno);
        }
        RelTag fsm = main.withFork(RelTag.FSM_FORKNUM);
        if ((flags & Rmgr.SMGR_TRUNCATE_FSM) != 0 && mod.relExists(fsm)) {
            truncateFsm(fsm, blkno);
        }
        RelTag vm = main.withFork(RelTag.VISIBILITYMAP_FORKNUM);
        if ((flags & Rmgr.SMGR_TRUNCATE_VM) != 0 && mod.relExists(vm)) {
            truncateVm(vm, blkno);
        }
    }

    /**
     * {@code FreeSpaceMapPrepareTruncateRel}: the leaf page holding the first removed heap block keeps only the
     * slots before it (stored as a zero page: the free-space map is a hint that PostgreSQL rebuilds, and a zero
     * page reads as "no free space known"); pages after it go.
     */
    private void truncateFsm(RelTag fsm, int heapBlocks) {
        long logical = Integer.toUnsignedLong(heapBlocks) / SLOTS_PER_FSM_PAGE;
        long slot = Integer.toUnsignedLong(heapBlocks) % SLOTS_PER_FSM_PAGE;
        long size = Integer.toUnsignedLong(mod.relSize(fsm));
        long keep = fsmLogicalToPhysical(logical);
        if (slot > 0) {
            if (keep >= size) {
                return;
            }
            mod.putRelImage(fsm, (int) keep, ZERO_PAGE);
            keep++;
        }
        if (keep < size) {
            mod.truncateRel(fsm, (int) keep);
        }
    }

    /** {@code fsm_logical_to_physical} for a leaf (level 0) page: leaves interleave with the upper levels. */
    static long fsmLogicalToPhysical(long logicalLeaf) {
        long leaf = logicalLeaf;
        long pages = 0;
        for (int l = 0; l < FSM_TREE_DEPTH; l++) {
            pages += leaf + 1;
            leaf /= SLOTS_PER_FSM_PAGE;
        }
        return pages - 1;
    }

    /**
     * {@code visibilitymap_prepare_truncate}: unless the new heap size ends on a map page boundary, the bits of the
     * removed heap blocks on the last remaining map page are cleared (a TRUNCATE_VM record on that page); map
     * pages after it go. Nothing happens when the map is already that small.
     */
    private void truncateVm(RelTag vm, int heapBlocks) {
        long nheap = Integer.toUnsignedLong(heapBlocks);
        long truncBlock = nheap / HEAPBLOCKS_PER_VM_PAGE;
        long size = Integer.toUnsignedLong(mod.relSize(vm));
        long newSize = truncBlock;
        if (nheap % HEAPBLOCKS_PER_VM_PAGE != 0) {
            if (truncBlock >= size) {
                return;
            }
            mod.putRelStrataRecord(vm, (int) truncBlock, StrataRecord.truncateVm(heapBlocks));
            newSize = truncBlock + 1;
        }
        if (newSize < size) {
            mod.truncateRel(vm, (int) newSize);
        }
    }

    /** Database records: FILE_COPY copies the template, WAL_LOG creates an empty directory, DROP removes. */
    void dbase(DecodedRecord rec) {
        ByteBuffer d = rec.mainData();
        switch (rec.rmgrInfo()) {
            case Rmgr.DBASE_CREATE_FILE_COPY -> {
                int db = d.getInt();
                int spc = d.getInt();
                int srcDb = d.getInt();
                int srcSpc = d.getInt();
                mod.copyDatabase(srcSpc, srcDb, spc, db);
            }
            case Rmgr.DBASE_CREATE_WAL_LOG -> {
                int db = d.getInt();
                mod.createDatabase(d.getInt(), db);
            }
            case Rmgr.DBASE_DROP -> {
                int db = d.getInt();
                int n = d.getInt();
                for (int i = 0; i < n; i++) {
                    mod.dropDatabase(d.getInt(), db);
                }
            }
            default -> throw new IllegalArgumentException("unknown Database record type 0x"
                    + Integer.toHexString(rec.rmgrInfo()));
        }
    }

    /** {@code xl_relmap_update}: u32 dbid, u32 tsid, i32 nbytes, the file. */
    void relmap(DecodedRecord rec) {
        ByteBuffer d = rec.mainData();
        int db = d.getInt();
        int spc = d.getInt();
        int n = d.getInt();
        if (n < 0 || n > d.remaining()) {
            throw new IllegalArgumentException("relmap update claims " + n + " bytes but carries " + d.remaining());
        }
        byte[] file = new byte[n];
        d.get(file);
        mod.putRelmap(spc, db, file);
    }

    /**
     * The visibility-map bits heap records clear on a page they do not reference: flags byte of the main data,
     * and which bits (all for inserts, deletes and updates, ALL_FROZEN for locks).
     */
    void heap(DecodedRecord rec) {
        int op = rec.info() & Rmgr.HEAP_OPMASK;
        ByteBuffer d = rec.mainData();
        if (rec.rmid() == Rmgr.HEAP) {
            switch (op) {
                case Rmgr.HEAP_INSERT -> clearIf(rec, flags(d, 2), 0x01, 0, VM_VALID_BITS);
                case Rmgr.HEAP_DELETE -> clearIf(rec, flags(d, 7), 0x01, 0, VM_VALID_BITS);
                case Rmgr.HEAP_LOCK -> clearIf(rec, flags(d, 7), 0x01, 0, VM_ALL_FROZEN);
                case Rmgr.HEAP_UPDATE, Rmgr.HEAP_HOT_UPDATE -> update(rec, flags(d, 7));
                default -> {
                    // no visibility-map side effect
                }
            }
        } else if (op == Rmgr.HEAP2_MULTI_INSERT) {
            clearIf(rec, flags(d, 0), 0x01, 0, VM_VALID_BITS);
        } else if (op == Rmgr.HEAP2_LOCK_UPDATED) {
            clearIf(rec, flags(d, 7), 0x01, 0, VM_ALL_FROZEN);
        }
    }

    private static int flags(ByteBuffer d, int off) {
        return d.limit() > off ? d.get(off) & 0xFF : 0;
    }

    private void clearIf(DecodedRecord rec, int flags, int bit, int blockId, int vmBits) {
        BlockRef b = rec.block(blockId);
        if ((flags & bit) != 0 && b != null) {
            clear(b.rel(), b.blkno(), -1, vmBits);
        }
    }

    /** XLH_UPDATE_OLD_ALL_VISIBLE_CLEARED (0x01) on the old block (block 1, or 0), NEW (0x02) on block 0. */
    private void update(DecodedRecord rec, int flags) {
        BlockRef newBlk = rec.block(0);
        BlockRef oldBlk = rec.hasBlock(1) ? rec.block(1) : newBlk;
        if (newBlk == null) {
            return;
        }
        int newHeap = (flags & 0x02) != 0 ? newBlk.blkno() : -1;
        int oldHeap = (flags & 0x01) != 0 ? oldBlk.blkno() : -1;
        if (newHeap != -1 && oldHeap != -1 && vmBlock(newHeap) != vmBlock(oldHeap)) {
            clear(newBlk.rel(), newHeap, -1, VM_VALID_BITS);
            clear(newBlk.rel(), oldHeap, -1, VM_VALID_BITS);
        } else if (newHeap != -1 || oldHeap != -1) {
            clear(newBlk.rel(), newHeap, oldHeap, VM_VALID_BITS);
        }
    }

    private static long vmBlock(int heapBlk) {
        return Integer.toUnsignedLong(heapBlk) / HEAPBLOCKS_PER_VM_PAGE;
    }

    /** One CLEAR_VM_FLAGS value on the map page of the heap block(s); skipped beyond the map's size. */
    private void clear(RelTag heap, int heapBlk, int otherHeapBlk, int vmBits) {
        int target = heapBlk != -1 ? heapBlk : otherHeapBlk;
        RelTag vm = heap.withFork(RelTag.VISIBILITYMAP_FORKNUM);
        mod.putRelStrataRecord(vm, (int) vmBlock(target), StrataRecord.clearVmFlags(heapBlk, otherHeapBlk, vmBits));
    }
}

package dev.strata.storage.redo;

import dev.strata.storage.key.Key;
import dev.strata.storage.pg.RelTag;
import dev.strata.storage.redo.heap.Heap2Redo;
import dev.strata.storage.redo.heap.HeapRedo;
import dev.strata.storage.redo.slru.SlruPages;
import dev.strata.storage.redo.slru.SlruRedo;
import dev.strata.storage.redo.slru.XactStatus;
import dev.strata.storage.redo.vm.VisibilityMap;
import dev.strata.storage.wal.BlockRef;
import dev.strata.storage.wal.DecodedRecord;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.strata.storage.redo.page.Bytes.i32;
import static dev.strata.storage.redo.page.Bytes.u8;

/**
 * The values an ingest stores, besides the record itself under each block it references, so that every key can
 * be rebuilt from its own values: the {@link StrataRecord}s a PostgreSQL record implies for pages it does not
 * reference. Each effect is stored (not will-init) at the record's end LSN under its key.
 * <ul>
 *   <li>Heap INSERT / DELETE / UPDATE / HOT_UPDATE with an ALL_VISIBLE_CLEARED flag, Heap2 MULTI_INSERT with
 *       ALL_VISIBLE_CLEARED: CLEAR_VM_FLAGS (both bits) on the VM block(s) mapping the heap block(s);
 *       Heap LOCK and Heap2 LOCK_UPDATED with ALL_FROZEN_CLEARED: CLEAR_VM_FLAGS (ALL_FROZEN only).</li>
 *   <li>Storage SMGR_TRUNCATE with the VM flag, when the new size is not a multiple of 32672 heap blocks:
 *       TRUNCATE_VM on the VM block that keeps the boundary (store it only if the VM fork has that block; blocks
 *       past it are removed by the truncation).</li>
 *   <li>Transaction COMMIT / ABORT / COMMIT_PREPARED / ABORT_PREPARED: CLOG_SET_STATUS per CLOG page, listing the
 *       xids of the transaction tree on that page with their final status.</li>
 *   <li>MultiXact CREATE_ID: MULTIXACT_OFFSET for the new multixact and another for the next one (PostgreSQL
 *       15.16 and later record where the next multixact's members start, see
 *       {@link SlruPages#nextMultiXactOffset}), each on its offsets page; MULTIXACT_MEMBERS per members
 *       page.</li>
 * </ul>
 * Not covered here: CLOG ZEROPAGE and MultiXact ZERO_*_PAGE records are stored as PG_RECORD values, will-init,
 * on the page they name.
 */
public final class StrataEffects {
    /** One value to store: {@code StrataRecord} bytes under {@code key}. */
    public record Effect(Key key, byte[] strataRecord) {
    }

    private static final int RM_SMGR_ID = 2;
    private static final int XLOG_SMGR_TRUNCATE = 0x20;
    private static final int SMGR_TRUNCATE_VM = 0x0002;

    private StrataEffects() {
    }

    /** The effects of {@code rec} on pages it does not reference (empty for most records). */
    public static List<Effect> of(DecodedRecord rec) {
        List<Effect> out = new ArrayList<>(2);
        switch (rec.rmid()) {
            case HeapRedo.RM_HEAP_ID -> heap(rec, out);
            case Heap2Redo.RM_HEAP2_ID -> heap2(rec, out);
            case RM_SMGR_ID -> smgr(rec, out);
            case XactStatus.RM_XACT_ID -> xact(rec, out);
            case SlruRedo.RM_MULTIXACT_ID -> multixact(rec, out);
            default -> {
            }
        }
        return out;
    }

    private static void heap(DecodedRecord rec, List<Effect> out) {
        byte[] raw = rec.raw();
        int md = rec.mainDataOffset();
        switch (rec.rmgrInfo() & HeapRedo.XLOG_HEAP_OPMASK) {
            case HeapRedo.XLOG_HEAP_INSERT -> {
                if ((u8(raw, md + 2) & HeapRedo.XLH_INSERT_ALL_VISIBLE_CLEARED) != 0) {
                    clearVm(rec.block(0), -1, VisibilityMap.VISIBILITYMAP_VALID_BITS, out);
                }
            }
            case HeapRedo.XLOG_HEAP_DELETE -> {
                if ((u8(raw, md + 7) & HeapRedo.XLH_DELETE_ALL_VISIBLE_CLEARED) != 0) {
                    clearVm(rec.block(0), -1, VisibilityMap.VISIBILITYMAP_VALID_BITS, out);
                }
            }
            case HeapRedo.XLOG_HEAP_UPDATE, HeapRedo.XLOG_HEAP_HOT_UPDATE -> {
                int flags = u8(raw, md + 7);
                BlockRef newBlk = rec.block(0);
                BlockRef oldBlk = rec.hasBlock(1) ? rec.block(1) : newBlk;
                boolean oldCleared = (flags & HeapRedo.XLH_UPDATE_OLD_ALL_VISIBLE_CLEARED) != 0;
                boolean newCleared = (flags & HeapRedo.XLH_UPDATE_NEW_ALL_VISIBLE_CLEARED) != 0;
                if (oldCleared || newCleared) {
                    clearVm(newCleared ? newBlk : null, oldCleared ? oldBlk.blkno() : -1,
                            VisibilityMap.VISIBILITYMAP_VALID_BITS, out, newBlk.rel());
                }
            }
            case HeapRedo.XLOG_HEAP_LOCK -> {
                if ((u8(raw, md + 7) & HeapRedo.XLH_LOCK_ALL_FROZEN_CLEARED) != 0) {
                    clearVm(rec.block(0), -1, VisibilityMap.VISIBILITYMAP_ALL_FROZEN, out);
                }
            }
            default -> {
            }
        }
    }

    private static void heap2(DecodedRecord rec, List<Effect> out) {
        byte[] raw = rec.raw();
        int md = rec.mainDataOffset();
        switch (rec.rmgrInfo() & HeapRedo.XLOG_HEAP_OPMASK) {
            case Heap2Redo.XLOG_HEAP2_MULTI_INSERT -> {
                if ((u8(raw, md) & Heap2Redo.XLH_INSERT_ALL_VISIBLE_CLEARED) != 0) {
                    clearVm(rec.block(0), -1, VisibilityMap.VISIBILITYMAP_VALID_BITS, out);
                }
            }
            case Heap2Redo.XLOG_HEAP2_LOCK_UPDATED -> {
                if ((u8(raw, md + 7) & HeapRedo.XLH_LOCK_ALL_FROZEN_CLEARED) != 0) {
                    clearVm(rec.block(0), -1, VisibilityMap.VISIBILITYMAP_ALL_FROZEN, out);
                }
            }
            default -> {
            }
        }
    }

    private static void clearVm(BlockRef heap, int oldBlk, int flags, List<Effect> out) {
        clearVm(heap, oldBlk, flags, out, heap.rel());
    }

    /** One CLEAR_VM_FLAGS per VM block involved; {@code heap} may be null when only the old block is cleared. */
    private static void clearVm(BlockRef heap, int oldBlk, int flags, List<Effect> out, RelTag rel) {
        RelTag vm = rel.withFork(RelTag.VISIBILITYMAP_FORKNUM);
        int newBlk = heap == null ? -1 : heap.blkno();
        if (newBlk != -1 && oldBlk != -1 && VisibilityMap.mapBlock(newBlk) != VisibilityMap.mapBlock(oldBlk)) {
            out.add(new Effect(Key.relBlock(vm, VisibilityMap.mapBlock(newBlk)),
                    StrataRecord.clearVmFlags(newBlk, -1, flags)));
            out.add(new Effect(Key.relBlock(vm, VisibilityMap.mapBlock(oldBlk)),
                    StrataRecord.clearVmFlags(-1, oldBlk, flags)));
            return;
        }
        int any = newBlk != -1 ? newBlk : oldBlk;
        out.add(new Effect(Key.relBlock(vm, VisibilityMap.mapBlock(any)), StrataRecord.clearVmFlags(newBlk, oldBlk,
                flags)));
    }

    /** xl_smgr_truncate: blkno u32 @0, RelFileNode (spc, db, rel) @4, flags i32 @16. */
    private static void smgr(DecodedRecord rec, List<Effect> out) {
        if (rec.rmgrInfo() != XLOG_SMGR_TRUNCATE) {
            return;
        }
        byte[] raw = rec.raw();
        int md = rec.mainDataOffset();
        int blkno = i32(raw, md);
        if ((i32(raw, md + 16) & SMGR_TRUNCATE_VM) == 0
                || Integer.remainderUnsigned(blkno, VisibilityMap.HEAPBLOCKS_PER_PAGE) == 0) {
            return;
        }
        RelTag vm = new RelTag(i32(raw, md + 4), i32(raw, md + 8), i32(raw, md + 12), RelTag.VISIBILITYMAP_FORKNUM);
        out.add(new Effect(Key.relBlock(vm, VisibilityMap.mapBlock(blkno)), StrataRecord.truncateVm(blkno)));
    }

    private static void xact(DecodedRecord rec, List<Effect> out) {
        XactStatus st = XactStatus.of(rec);
        if (st == null) {
            return;
        }
        Map<Integer, List<Integer>> byPage = new LinkedHashMap<>();
        byPage.computeIfAbsent(SlruPages.clogPage(st.xid()), p -> new ArrayList<>()).add(st.xid());
        for (int sub : st.subxids()) {
            byPage.computeIfAbsent(SlruPages.clogPage(sub), p -> new ArrayList<>()).add(sub);
        }
        byPage.forEach((page, xids) -> out.add(new Effect(SlruPages.key(Key.SLRU_CLOG, page),
                StrataRecord.clogSetStatus(st.status(), 0, xids.stream().mapToInt(Integer::intValue).toArray()))));
    }

    /** xl_multixact_create: mid u32, moff u32, nmembers i32, then {xid u32, status u32} per member. */
    private static void multixact(DecodedRecord rec, List<Effect> out) {
        if (rec.rmgrInfo() != SlruRedo.XLOG_MULTIXACT_CREATE_ID) {
            return;
        }
        byte[] raw = rec.raw();
        int md = rec.mainDataOffset();
        int multi = i32(raw, md);
        int offset = i32(raw, md + 4);
        int n = i32(raw, md + 8);
        if (n < 0 || 12 + 8L * n > rec.mainDataLength()) {
            throw new RedoException("MultiXact CREATE_ID with " + n + " members in " + rec.mainDataLength()
                    + " bytes of main data");
        }
        out.add(new Effect(SlruPages.key(Key.SLRU_MULTIXACT_OFFSETS, SlruPages.offsetsPage(multi)),
                StrataRecord.multixactOffset(multi, offset)));
        int next = SlruPages.nextMultiXactId(multi);
        out.add(new Effect(SlruPages.key(Key.SLRU_MULTIXACT_OFFSETS, SlruPages.offsetsPage(next)),
                StrataRecord.multixactOffset(next, SlruPages.nextMultiXactOffset(offset, n))));
        int i = 0;
        while (i < n) {
            int page = SlruPages.membersPage(offset + i);
            int j = i;
            while (j < n && SlruPages.membersPage(offset + j) == page) {
                j++;
            }
            int[] xids = new int[j - i];
            int[] statuses = new int[j - i];
            for (int k = i; k < j; k++) {
                xids[k - i] = i32(raw, md + 12 + 8 * k);
                statuses[k - i] = i32(raw, md + 16 + 8 * k);
            }
            out.add(new Effect(SlruPages.key(Key.SLRU_MULTIXACT_MEMBERS, page),
                    StrataRecord.multixactMembers(offset + i, xids, statuses)));
            i = j;
        }
    }
}

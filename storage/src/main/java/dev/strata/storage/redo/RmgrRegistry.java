package dev.strata.storage.redo;

import dev.strata.storage.redo.generic.GenericRedo;
import dev.strata.storage.redo.heap.Heap2Redo;
import dev.strata.storage.redo.heap.HeapRedo;
import dev.strata.storage.redo.seq.SeqRedo;
import dev.strata.storage.redo.xlog.XlogRedo;

import java.util.HashMap;
import java.util.Map;

/**
 * The page redo of each resource manager by rmid: XLOG, Heap2, Heap, Sequence and Generic here, the index access
 * methods through {@link IndexRmgrs#registerAll}. Immutable once built.
 */
public final class RmgrRegistry {
    private final RmgrRedo[] byRmid = new RmgrRedo[256];

    private RmgrRegistry(Map<Integer, RmgrRedo> map) {
        map.forEach((id, r) -> byRmid[id] = r);
    }

    /**
     * Every page rmgr Strata implements.
     *
     * @param hintBitsLogged the primary's {@code XLogHintBitIsNeeded()} (data checksums or wal_log_hints on):
     *                       Heap2 VISIBLE stamps the heap page LSN only then
     */
    public static RmgrRegistry standard(boolean hintBitsLogged) {
        Map<Integer, RmgrRedo> map = new HashMap<>();
        map.put(XlogRedo.RM_XLOG_ID, new XlogRedo());
        map.put(Heap2Redo.RM_HEAP2_ID, new Heap2Redo(hintBitsLogged));
        map.put(HeapRedo.RM_HEAP_ID, new HeapRedo());
        map.put(SeqRedo.RM_SEQ_ID, new SeqRedo());
        map.put(GenericRedo.RM_GENERIC_ID, new GenericRedo());
        IndexRmgrs.registerAll(map);
        return new RmgrRegistry(map);
    }

    /** The redo of {@code rmid}, or null when Strata has none. */
    public RmgrRedo get(int rmid) {
        return rmid >= 0 && rmid < byRmid.length ? byRmid[rmid] : null;
    }

    public boolean isRegistered(int rmid) {
        return get(rmid) != null;
    }
}

package dev.strata.storage.redo;

/**
 * PostgreSQL 15's {@code rm_mask} by resource manager, for comparing pages the way {@code wal_consistency_checking}
 * does: mask both pages, then compare all 8192 bytes. Heap and Heap2 use {@code heap_mask} (also for
 * visibility-map pages, whose bitmap it masks away entirely); Btree, Hash, Gin, Gist, SPGist and BRIN their own
 * masks; Sequence and Generic mask LSN, checksum and unused space. XLOG and the SLRU rmgrs have no mask.
 */
public final class Masks {
    private static final RmgrRegistry REGISTRY = RmgrRegistry.standard(false);

    private Masks() {
    }

    /** True when Strata has {@code rm_mask} for {@code rmid} and PostgreSQL defines one. */
    public static boolean hasMask(int rmid) {
        return REGISTRY.isRegistered(rmid) && rmid != 0;
    }

    /**
     * Masks {@code page} (in place) as {@code rmid}'s {@code rm_mask} does.
     *
     * @throws IllegalArgumentException when there is no mask for {@code rmid}
     */
    public static void mask(int rmid, byte[] page, int blkno) {
        if (!hasMask(rmid)) {
            throw new IllegalArgumentException("no rm_mask for resource manager " + RecordTypes.rmgrName(rmid));
        }
        REGISTRY.get(rmid).mask(page, blkno);
    }
}

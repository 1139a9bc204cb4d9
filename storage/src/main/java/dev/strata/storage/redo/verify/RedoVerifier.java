package dev.strata.storage.redo.verify;

import dev.strata.storage.key.Key;
import dev.strata.storage.pg.RelTag;
import dev.strata.storage.redo.JavaPageRedo;
import dev.strata.storage.redo.Masks;
import dev.strata.storage.redo.RecordTypes;
import dev.strata.storage.redo.RedoException;
import dev.strata.storage.redo.RmgrRegistry;
import dev.strata.storage.redo.StrataEffects;
import dev.strata.storage.redo.UnsupportedRecordException;
import dev.strata.storage.redo.page.PageOps;
import dev.strata.storage.redo.slru.XactStatus;
import dev.strata.storage.wal.BlockImages;
import dev.strata.storage.wal.BlockRef;
import dev.strata.storage.wal.DecodedRecord;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Checks Strata's redo record by record against the after-images a primary writes with
 * {@code wal_consistency_checking=all}: feed it every record of a WAL stream in order.
 *
 * <p>For each block reference it keeps the latest version of the block seen in the stream (an applied full-page
 * image, or the previous checking image). A block carrying a checking image (an image without BKPIMAGE_APPLY) is
 * verified: the record is applied to the previous version with {@link JavaPageRedo#applyBlock}, and the result is
 * compared with the image after both are masked by the rmgr's {@code rm_mask}, exactly as PostgreSQL's
 * {@code verifyBackupPageConsistency} does. The image then becomes the block's version (with the LSN redo
 * stamped), so one bad record yields one mismatch rather than a cascade. Blocks without images are applied to the
 * version held, when there is one; truncations and dropped relations forget what they remove.
 */
public final class RedoVerifier {
    private static final int RM_SMGR_ID = 2;
    private static final int RM_XACT_ID = 1;
    private static final int RM_DBASE_ID = 4;

    private final JavaPageRedo redo;
    private final RmgrRegistry rmgrs;
    private final Map<BlockKey, byte[]> versions = new HashMap<>();
    private final Map<String, TypeStats> stats = new TreeMap<>();
    private final List<Mismatch> mismatches = new ArrayList<>();
    private final List<String> unsupportedSamples = new ArrayList<>();
    private final int keepMismatches;
    private long totalRecords;
    private BlockObserver observer;

    /** Sees each verified block: the record, the block id, the version it was applied to and the after-image. */
    @FunctionalInterface
    public interface BlockObserver {
        /**
         * @param base    the previous version of the block (null for a will-init block); not to be modified
         * @param primary the primary's after-image
         */
        void verified(DecodedRecord rec, int blockId, byte[] base, byte[] primary);
    }

    /** Registers an observer of verified blocks (benchmarks collect samples this way). */
    public void observe(BlockObserver observer) {
        this.observer = observer;
    }

    private record BlockKey(RelTag rel, int blkno) {
    }

    /**
     * @param hintBitsLogged the primary's {@code XLogHintBitIsNeeded()}; only the heap page LSN after VISIBLE
     *                       depends on it, and heap_mask hides LSNs, so verification results do not
     * @param keepMismatches how many mismatches to keep with their pages (all are counted)
     */
    public RedoVerifier(boolean hintBitsLogged, int keepMismatches) {
        this.rmgrs = RmgrRegistry.standard(hintBitsLogged);
        this.redo = new JavaPageRedo(rmgrs);
        this.keepMismatches = keepMismatches;
    }

    /** Feeds the next record of the stream. */
    public void accept(DecodedRecord rec) {
        totalRecords++;
        TypeStats ts = stats.computeIfAbsent(RecordTypes.label(rec.rmid(), rec.info()), k -> new TypeStats());
        ts.records++;
        for (int id = 0; id <= rec.maxBlockId(); id++) {
            BlockRef b = rec.block(id);
            if (b != null) {
                block(rec, id, b, ts);
            }
        }
        applyEffects(rec);
        forgetRemoved(rec);
    }

    private void block(DecodedRecord rec, int id, BlockRef b, TypeStats ts) {
        BlockKey key = new BlockKey(b.rel(), b.blkno());
        byte[] base = versions.get(key);
        if (b.applyImage()) {
            versions.put(key, redo.applyBlock(rec, id, null));
            return;
        }
        if (!b.hasImage()) {
            if (base != null || b.willInit()) {
                applyQuietly(rec, id, key, base);
            }
            return;
        }
        byte[] primary = BlockImages.restore(rec, b);
        if (!rmgrs.isRegistered(rec.rmid())) {
            ts.unsupported++;
            sampleUnsupported(rec, b);
            versions.put(key, primary);
            return;
        }
        if (base == null && !b.willInit() && !rmgrs.get(rec.rmid()).readsMissingAsZeros(rec, id)) {
            ts.withoutBase++;
            versions.put(key, primary);
            return;
        }
        byte[] ours;
        try {
            ours = redo.applyBlock(rec, id, base == null ? null : base.clone());
        } catch (UnsupportedRecordException e) {
            ts.unsupported++;
            sampleUnsupported(rec, b);
            versions.put(key, primary);
            return;
        } catch (RedoException e) {
            ts.mismatched++;
            keep(new Mismatch(rec.lsn(), rec.endLsn(), RecordTypes.label(rec.rmid(), rec.info()), b.rel(),
                    b.blkno(), -1, "redo failed: " + e.getMessage(), null, primary));
            versions.put(key, primary);
            return;
        }
        if (compare(rec, b, ts, ours, primary) && observer != null) {
            observer.verified(rec, id, base, primary);
        }
        byte[] next = primary.clone();
        PageOps.pageSetLSN(next, PageOps.pageGetLSN(ours));
        versions.put(key, next);
    }

    /** Compares under the rmgr's mask; true when the pages match. */
    private boolean compare(DecodedRecord rec, BlockRef b, TypeStats ts, byte[] ours, byte[] primary) {
        byte[] a = ours.clone();
        byte[] p = primary.clone();
        String maskError = null;
        if (Masks.hasMask(rec.rmid())) {
            try {
                Masks.mask(rec.rmid(), a, b.blkno());
                Masks.mask(rec.rmid(), p, b.blkno());
            } catch (RedoException e) {
                maskError = e.getMessage();
            }
        }
        int diff = maskError != null ? -1 : firstDifference(a, p);
        if (maskError == null && diff < 0) {
            ts.verified++;
            return true;
        }
        ts.mismatched++;
        String detail = maskError != null ? "masking failed: " + maskError
                : String.format("(strata 0x%02x, primary 0x%02x, after masking)", a[diff] & 0xFF, p[diff] & 0xFF);
        keep(new Mismatch(rec.lsn(), rec.endLsn(), RecordTypes.label(rec.rmid(), rec.info()), b.rel(), b.blkno(),
                diff, detail, ours, primary));
        return false;
    }

    private void applyQuietly(DecodedRecord rec, int id, BlockKey key, byte[] base) {
        try {
            versions.put(key, redo.applyBlock(rec, id, base == null ? null : base.clone()));
        } catch (RedoException e) {
            versions.remove(key);
        }
    }

    /** Keeps visibility-map versions current with the bits heap records clear (no WAL touches those pages). */
    private void applyEffects(DecodedRecord rec) {
        for (StrataEffects.Effect e : StrataEffects.of(rec)) {
            Key k = e.key();
            if (!k.isRelBlock()) {
                continue;
            }
            BlockKey key = new BlockKey(k.relTag(), k.blockNumber());
            byte[] base = versions.get(key);
            if (base != null) {
                versions.put(key, redo.reconstruct(k, rec.endLsn(), base, 0, List.of(
                        new dev.strata.storage.value.VersionedValue(rec.endLsn(),
                                dev.strata.storage.value.Value.strataRecord(e.strataRecord(), false)))));
            }
        }
    }

    /** Truncations, dropped relations and dropped databases make the versions held for them stale. */
    private void forgetRemoved(DecodedRecord rec) {
        if (rec.rmid() == RM_SMGR_ID && rec.rmgrInfo() == 0x20) {
            java.nio.ByteBuffer m = rec.mainData();
            int blkno = m.getInt(0);
            RelTag main = new RelTag(m.getInt(4), m.getInt(8), m.getInt(12), RelTag.MAIN_FORKNUM);
            versions.keySet().removeIf(k -> sameRel(k.rel, main) && (k.rel.forkNum() != RelTag.MAIN_FORKNUM
                    || Integer.compareUnsigned(k.blkno, blkno) >= 0));
        } else if (rec.rmid() == RM_XACT_ID) {
            XactStatus st = XactStatus.of(rec);
            for (RelTag dropped : st == null ? new RelTag[0] : st.dropped()) {
                versions.keySet().removeIf(k -> sameRel(k.rel, dropped));
            }
        } else if (rec.rmid() == RM_DBASE_ID && rec.rmgrInfo() == 0x20) {
            int db = rec.mainData().getInt(0);
            versions.keySet().removeIf(k -> k.rel.dbNode() == db);
        }
    }

    private static boolean sameRel(RelTag a, RelTag b) {
        return a.spcNode() == b.spcNode() && a.dbNode() == b.dbNode() && a.relNode() == b.relNode();
    }

    private static int firstDifference(byte[] a, byte[] b) {
        return java.util.Arrays.mismatch(a, b);
    }

    private void keep(Mismatch m) {
        if (mismatches.size() < keepMismatches) {
            mismatches.add(m);
        }
    }

    private void sampleUnsupported(DecodedRecord rec, BlockRef b) {
        if (unsupportedSamples.size() < 20) {
            unsupportedSamples.add(new Mismatch(rec.lsn(), rec.endLsn(), RecordTypes.label(rec.rmid(), rec.info()),
                    b.rel(), b.blkno(), -1, "no redo for this resource manager", null, null).describe());
        }
    }

    /** Counters by {@code Rmgr/TYPE}, sorted by label. */
    public Map<String, TypeStats> stats() {
        return stats;
    }

    /** The first mismatches (up to the limit given), with both pages. */
    public List<Mismatch> mismatches() {
        return mismatches;
    }

    public List<String> unsupportedSamples() {
        return unsupportedSamples;
    }

    public long totalRecords() {
        return totalRecords;
    }

    public long total(java.util.function.ToLongFunction<TypeStats> f) {
        return stats.values().stream().mapToLong(f).sum();
    }

    /** True when nothing mismatched and nothing was unsupported. */
    public boolean passed() {
        return total(TypeStats::mismatched) == 0 && total(TypeStats::unsupported) == 0;
    }
}

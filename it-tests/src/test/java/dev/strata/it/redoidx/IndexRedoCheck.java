package dev.strata.it.redoidx;

import dev.strata.storage.pg.Lsn;
import dev.strata.storage.pg.RelTag;
import dev.strata.storage.redo.IndexRmgrs;
import dev.strata.storage.redo.RedoException;
import dev.strata.storage.redo.RmgrRedo;
import dev.strata.storage.redo.nbtree.IndexPage;
import dev.strata.storage.wal.BlockImages;
import dev.strata.storage.wal.BlockRef;
import dev.strata.storage.wal.DecodedRecord;
import dev.strata.storage.wal.Rmgrs;
import dev.strata.storage.wal.WalSegmentReader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Checks the index resource managers' redo record by record against the after-images a primary run with
 * {@code wal_consistency_checking=all} puts in its WAL, as PostgreSQL's {@code verifyBackupPageConsistency} does:
 * each block is rebuilt from its previous version in the stream (the last after-image or applied full-page image
 * of that block), the record is applied, and the result and the record's image of the block are compared under
 * the resource manager's mask.
 *
 * <p>Blocks whose image is applied are restored, not checked (PostgreSQL skips them too), but they are passed
 * through {@link IndexRmgrs#afterImageRestore} so that base pages match the primary's.
 */
final class IndexRedoCheck {
    private static final int XLOG_FPI_FOR_HINT = 0xA0;
    private static final int XLOG_FPI = 0xB0;

    /** Counts for one record type. */
    static final class Counts {
        int records;
        int verified;
        int mismatched;
        int noBase;
        int notChecked;
        int chainedMismatched;

        @Override
        public String toString() {
            return String.format("%8d %9d %10d %8d %11d %8d", records, verified, mismatched, noBase, notChecked,
                    chainedMismatched);
        }
    }

    private record PageKey(RelTag rel, int blkno) {
    }

    private final Map<Integer, RmgrRedo> redo = new HashMap<>();
    private final Map<PageKey, byte[]> pages = new HashMap<>();
    /** Each block as Strata rebuilds it: only images that redo applies, then its own redo results. */
    private final Map<PageKey, byte[]> chained = new HashMap<>();
    private final List<String> chainedFailures = new ArrayList<>();
    private final Map<String, Counts> byType = new TreeMap<>();
    private final List<String> failures = new ArrayList<>();
    private final Path dumpDir;

    IndexRedoCheck(Path dumpDir) {
        IndexRmgrs.registerAll(redo);
        this.dumpDir = dumpDir;
    }

    Map<String, Counts> counts() {
        return byType;
    }

    List<String> failures() {
        return failures;
    }

    /** Blocks where the chained rebuild (redo applied to its own previous result) first left the primary's page. */
    List<String> chainedFailures() {
        return chainedFailures;
    }

    int total(java.util.function.ToIntFunction<Counts> f) {
        return byType.values().stream().mapToInt(f).sum();
    }

    /** Reads the records in [start, end) of a WAL directory and checks every index record. */
    void run(Path walDir, long start, long end) {
        try (WalSegmentReader reader = WalSegmentReader.open(walDir, 0, start, end)) {
            DecodedRecord r;
            while ((r = reader.next()) != null) {
                int rmid = r.rmid();
                if (rmid == Rmgrs.RM_XLOG_ID && (r.rmgrInfo() == XLOG_FPI || r.rmgrInfo() == XLOG_FPI_FOR_HINT)) {
                    restoreImages(r);
                } else if (redo.containsKey(rmid)) {
                    check(r, redo.get(rmid));
                }
            }
        }
    }

    /** The table printed after a run. */
    String table() {
        StringBuilder sb = new StringBuilder(String.format("%-36s %8s %9s %10s %8s %11s %8s%n", "rmgr/record type",
                "records", "verified", "mismatched", "no base", "not checked", "chained"));
        byType.forEach((k, v) -> sb.append(String.format("%-36s %s%n", k, v)));
        return sb.toString();
    }

    private void restoreImages(DecodedRecord r) {
        for (int id = 0; id <= r.maxBlockId(); id++) {
            BlockRef b = r.block(id);
            if (b != null && b.hasImage()) {
                byte[] page = restored(r, b);
                pages.put(new PageKey(b.rel(), b.blkno()), page);
                chained.put(new PageKey(b.rel(), b.blkno()), page.clone());
            }
        }
    }

    private static byte[] restored(DecodedRecord r, BlockRef b) {
        byte[] page = BlockImages.restore(r, b);
        if (!IndexPage.isNew(page)) {
            IndexPage.setLsn(page, r.endLsn());
        }
        return page;
    }

    private void check(DecodedRecord r, RmgrRedo rm) {
        String type = Rmgrs.name(r.rmid()) + "/" + Rmgrs.recordType(r);
        Counts c = byType.computeIfAbsent(type, k -> new Counts());
        c.records++;
        for (int id = 0; id <= r.maxBlockId(); id++) {
            BlockRef b = r.block(id);
            if (b == null) {
                continue;
            }
            PageKey key = new PageKey(b.rel(), b.blkno());
            if (b.applyImage()) {
                byte[] page = restored(r, b);
                IndexRmgrs.afterImageRestore(r, id, page);
                pages.put(key, page);
                chained.put(key, page.clone());
                c.notChecked++;
                continue;
            }
            byte[] chainedPage = chainedRedo(r, id, b, rm, key);
            byte[] page;
            if (b.willInit()) {
                page = new byte[IndexPage.BLCKSZ];
            } else {
                byte[] base = pages.get(key);
                if (base == null || IndexPage.isNew(base)) {
                    c.noBase++;
                    if (b.hasImage()) {
                        pages.put(key, BlockImages.restore(r, b));
                    }
                    continue;
                }
                if (Long.compareUnsigned(r.endLsn(), IndexPage.lsn(base)) <= 0) {
                    c.notChecked++;
                    continue;
                }
                page = base.clone();
            }
            try {
                rm.redo(r, id, page);
            } catch (RedoException e) {
                c.mismatched++;
                fail(type + ": " + e.getMessage());
                pages.remove(key);
                continue;
            }
            if (!b.hasImage()) {
                c.notChecked++;
                pages.put(key, page);
                continue;
            }
            byte[] expected = BlockImages.restore(r, b);
            compare(r, id, type, rm, page, expected, c);
            if (chainedPage != null && !sameMasked(rm, chainedPage, expected, b.blkno())) {
                c.chainedMismatched++;
                if (chainedFailures.size() < 50) {
                    chainedFailures.add(type + " at " + Lsn.format(r.lsn()) + " " + b.rel() + " block "
                            + Integer.toUnsignedString(b.blkno()));
                }
                byte[] resync = expected.clone();
                IndexPage.setLsn(resync, IndexPage.lsn(chainedPage));
                chained.put(key, resync);
            }
            // The primary's own after-image is the next record's base; its LSN is what redo stamped.
            IndexPage.setLsn(expected, IndexPage.lsn(page));
            pages.put(key, expected);
        }
    }

    /** Applies the record to the chained version of the block; null when there is nothing to compare. */
    private byte[] chainedRedo(DecodedRecord r, int id, BlockRef b, RmgrRedo rm, PageKey key) {
        byte[] base = b.willInit() ? new byte[IndexPage.BLCKSZ] : chained.get(key);
        if (base == null || !b.willInit() && IndexPage.isNew(base)) {
            if (b.hasImage()) {
                byte[] seed = BlockImages.restore(r, b);
                IndexPage.setLsn(seed, r.endLsn());
                chained.put(key, seed);
            }
            return null;
        }
        if (!b.willInit() && Long.compareUnsigned(r.endLsn(), IndexPage.lsn(base)) <= 0) {
            return null;
        }
        byte[] page = base.clone();
        try {
            rm.redo(r, id, page);
        } catch (RedoException e) {
            chained.remove(key);
            chainedFailures.add(Rmgrs.recordType(r) + " at " + Lsn.format(r.lsn()) + ": " + e.getMessage());
            return null;
        }
        chained.put(key, page);
        return page;
    }

    private static boolean sameMasked(RmgrRedo rm, byte[] a, byte[] b, int blkno) {
        byte[] x = a.clone();
        byte[] y = b.clone();
        rm.mask(x, blkno);
        rm.mask(y, blkno);
        return Arrays.equals(x, y);
    }

    private void compare(DecodedRecord r, int id, String type, RmgrRedo rm, byte[] page, byte[] expected,
                         Counts c) {
        BlockRef b = r.block(id);
        byte[] mine = page.clone();
        byte[] theirs = expected.clone();
        try {
            rm.mask(mine, b.blkno());
            rm.mask(theirs, b.blkno());
        } catch (RedoException e) {
            c.mismatched++;
            fail(type + " at " + Lsn.format(r.lsn()) + " " + b.rel() + " block " + b.blkno() + ": mask failed: "
                    + e.getMessage());
            return;
        }
        int diff = Arrays.mismatch(mine, theirs);
        if (diff < 0) {
            c.verified++;
            return;
        }
        c.mismatched++;
        String where = type + " at " + Lsn.format(r.lsn()) + " " + b.rel() + " block "
                + Integer.toUnsignedString(b.blkno()) + " (block id " + id + ")";
        fail(where + ": first difference at offset " + diff + " (redo 0x"
                + Integer.toHexString(mine[diff] & 0xFF) + ", primary 0x" + Integer.toHexString(theirs[diff] & 0xFF)
                + ")" + dump(r, id, page, expected));
    }

    private String dump(DecodedRecord r, int id, byte[] page, byte[] expected) {
        if (dumpDir == null || failures.size() > 20) {
            return "";
        }
        try {
            Files.createDirectories(dumpDir);
            String name = Lsn.format(r.lsn()).replace('/', '_') + "_" + id;
            Files.write(dumpDir.resolve(name + ".redo"), page);
            Files.write(dumpDir.resolve(name + ".primary"), expected);
            return "; pages written to " + dumpDir.resolve(name) + ".{redo,primary}";
        } catch (IOException e) {
            return "; could not write the pages: " + e.getMessage();
        }
    }

    private void fail(String message) {
        if (failures.size() < 200) {
            failures.add(message);
        }
    }
}

package dev.strata.it.redo;

import dev.strata.storage.key.Key;
import dev.strata.storage.pg.RelTag;
import dev.strata.storage.redo.JavaPageRedo;
import dev.strata.storage.redo.StrataEffects;
import dev.strata.storage.redo.slru.XactStatus;
import dev.strata.storage.redo.vm.VisibilityMap;
import dev.strata.storage.value.Value;
import dev.strata.storage.value.VersionedValue;
import dev.strata.storage.wal.BlockRef;
import dev.strata.storage.wal.DecodedRecord;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Rebuilds visibility-map pages from the WAL as Strata's read path would: a snapshot of the VM forks as base, then
 * the PG_RECORD values of records referencing VM blocks (Heap2 VISIBLE, full-page images) and the CLEAR_VM_FLAGS /
 * TRUNCATE_VM values of {@link StrataEffects}; a truncation drops the VM blocks past the new end.
 */
final class VmRebuild {
    private static final int DEFAULT_TABLESPACE = 1663;
    private static final int GLOBAL_TABLESPACE = 1664;

    private final JavaPageRedo redo = new JavaPageRedo();
    private final Map<Key, byte[]> pages = new TreeMap<>();
    private long applied;
    private long createdWithoutWal;

    /** Every block of every VM fork (first segment) under base/ and global/. */
    static Map<Key, byte[]> read(Path dataDir) throws IOException {
        Map<Key, byte[]> out = new TreeMap<>();
        List<Path> files = new ArrayList<>();
        try (var s = Files.walk(dataDir.resolve("base"), 2)) {
            s.filter(p -> p.getFileName().toString().endsWith("_vm")).forEach(files::add);
        }
        try (var s = Files.list(dataDir.resolve("global"))) {
            s.filter(p -> p.getFileName().toString().endsWith("_vm")).forEach(files::add);
        }
        for (Path f : files) {
            boolean global = f.getParent().getFileName().toString().equals("global");
            int db = global ? 0 : Integer.parseUnsignedInt(f.getParent().getFileName().toString());
            String name = f.getFileName().toString();
            int rel = Integer.parseUnsignedInt(name.substring(0, name.length() - 3));
            RelTag tag = new RelTag(global ? GLOBAL_TABLESPACE : DEFAULT_TABLESPACE, db, rel,
                    RelTag.VISIBILITYMAP_FORKNUM);
            byte[] bytes = Files.readAllBytes(f);
            for (int blk = 0; (blk + 1) * 8192 <= bytes.length; blk++) {
                byte[] page = new byte[8192];
                System.arraycopy(bytes, blk * 8192, page, 0, 8192);
                out.put(Key.relBlock(tag, blk), page);
            }
        }
        return out;
    }

    VmRebuild(Map<Key, byte[]> base) {
        base.forEach((k, v) -> pages.put(k, v.clone()));
    }

    void accept(DecodedRecord rec) {
        for (int id = 0; id <= rec.maxBlockId(); id++) {
            BlockRef b = rec.block(id);
            if (b != null && b.rel().forkNum() == RelTag.VISIBILITYMAP_FORKNUM) {
                Key key = Key.relBlock(b.rel(), b.blkno());
                pages.put(key, redo.applyRecord(key, rec, pages.get(key)));
                applied++;
            }
        }
        for (StrataEffects.Effect e : StrataEffects.of(rec)) {
            if (e.key().isRelBlock()) {
                pages.put(e.key(), redo.reconstruct(e.key(), rec.endLsn(), pages.get(e.key()), 0,
                        List.of(new VersionedValue(rec.endLsn(), Value.strataRecord(e.strataRecord(), false)))));
                applied++;
            }
        }
        if (rec.rmid() == 2 && rec.rmgrInfo() == 0x20 && (rec.mainData().getInt(16) & 2) != 0) {
            int heapBlocks = rec.mainData().getInt(0);
            RelTag vm = new RelTag(rec.mainData().getInt(4), rec.mainData().getInt(8), rec.mainData().getInt(12),
                    RelTag.VISIBILITYMAP_FORKNUM);
            int keep = VisibilityMap.mapBlock(heapBlocks)
                    + (Integer.remainderUnsigned(heapBlocks, VisibilityMap.HEAPBLOCKS_PER_PAGE) != 0 ? 1 : 0);
            pages.keySet().removeIf(k -> k.relTag().equals(vm) && Integer.compareUnsigned(k.blockNumber(), keep) >= 0);
        }
        XactStatus st = XactStatus.of(rec);
        if (st != null) {
            for (RelTag dropped : st.dropped()) {
                RelTag vm = dropped.withFork(RelTag.VISIBILITYMAP_FORKNUM);
                pages.keySet().removeIf(k -> k.relTag().equals(vm));
            }
        }
    }

    long applied() {
        return applied;
    }

    /** Empty VM pages found in the files that no WAL record touched (see {@link #differences}). */
    long createdWithoutWal() {
        return createdWithoutWal;
    }

    /**
     * VM blocks of the primary's files that differ from the rebuilt ones, described. A block no WAL ever touched is
     * accepted only when it is an empty initialised VM page: VACUUM pins the map page of every heap block it scans,
     * and {@code vm_extend} creates missing map pages that way without WAL; such a page has no bit set, which is
     * what PostgreSQL reads for a missing VM block too.
     */
    List<String> differences(Map<Key, byte[]> actual) {
        byte[] empty = new byte[8192];
        dev.strata.storage.redo.page.PageOps.pageInit(empty, 0);
        List<String> out = new ArrayList<>();
        for (Map.Entry<Key, byte[]> e : actual.entrySet()) {
            byte[] ours = pages.get(e.getKey());
            String where = e.getKey().relTag().relPath() + "_vm block " + e.getKey().blockNumber();
            if (ours == null) {
                if (java.util.Arrays.equals(e.getValue(), empty)) {
                    createdWithoutWal++;
                } else {
                    out.add(where + ": not rebuilt");
                }
                continue;
            }
            int d = java.util.Arrays.mismatch(ours, e.getValue());
            if (d >= 0) {
                out.add(where + ": first difference at " + d
                        + String.format(" (strata 0x%02x, primary 0x%02x)", ours[d], e.getValue()[d]));
            }
        }
        return out;
    }
}

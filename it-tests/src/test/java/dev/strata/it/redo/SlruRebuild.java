package dev.strata.it.redo;

import dev.strata.storage.key.Key;
import dev.strata.storage.redo.JavaPageRedo;
import dev.strata.storage.redo.StrataEffects;
import dev.strata.storage.redo.slru.SlruPages;
import dev.strata.storage.redo.slru.SlruRedo;
import dev.strata.storage.value.Value;
import dev.strata.storage.value.VersionedValue;
import dev.strata.storage.wal.DecodedRecord;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Rebuilds SLRU pages (pg_xact, pg_multixact/offsets, pg_multixact/members) the way Strata's read path would: a
 * snapshot of the files as base, then for each record the PG_RECORD zero-page values and the
 * {@link StrataEffects} values, applied through {@link JavaPageRedo}.
 */
final class SlruRebuild {
    static final String[] DIRS = {"pg_xact", "pg_multixact/members", "pg_multixact/offsets"};

    private final JavaPageRedo redo = new JavaPageRedo();
    private final Map<Key, byte[]> pages = new TreeMap<>();
    private long applied;

    /** Loads every page of the three SLRUs from a data directory. */
    static Map<Key, byte[]> read(Path dataDir) throws IOException {
        Map<Key, byte[]> out = new TreeMap<>();
        for (int kind = 0; kind < DIRS.length; kind++) {
            Path dir = dataDir.resolve(DIRS[kind]);
            List<Path> files;
            try (var s = Files.list(dir)) {
                files = s.sorted().toList();
            }
            for (Path f : files) {
                int segno = Integer.parseInt(f.getFileName().toString(), 16);
                byte[] bytes = Files.readAllBytes(f);
                for (int blk = 0; blk * SlruPages.BLCKSZ < bytes.length; blk++) {
                    byte[] page = new byte[SlruPages.BLCKSZ];
                    System.arraycopy(bytes, blk * SlruPages.BLCKSZ, page, 0,
                            Math.min(SlruPages.BLCKSZ, bytes.length - blk * SlruPages.BLCKSZ));
                    out.put(Key.slruBlock(kind, segno, blk), page);
                }
            }
        }
        return out;
    }

    SlruRebuild(Map<Key, byte[]> base) {
        base.forEach((k, v) -> pages.put(k, v.clone()));
    }

    void accept(DecodedRecord rec) {
        Integer zeroKind = zeroPageKind(rec);
        if (zeroKind != null) {
            Key key = SlruPages.key(zeroKind, rec.mainData().getInt(0));
            pages.put(key, redo.reconstruct(key, rec.endLsn(), null, 0,
                    List.of(new VersionedValue(rec.endLsn(), Value.pgRecord(rec.raw(), true)))));
            applied++;
        }
        for (StrataEffects.Effect e : StrataEffects.of(rec)) {
            if (!e.key().isSlruBlock()) {
                continue;
            }
            pages.put(e.key(), redo.reconstruct(e.key(), rec.endLsn(), pages.get(e.key()), 0,
                    List.of(new VersionedValue(rec.endLsn(), Value.strataRecord(e.strataRecord(), false)))));
            applied++;
        }
    }

    private static Integer zeroPageKind(DecodedRecord rec) {
        if (rec.rmid() == SlruRedo.RM_CLOG_ID && rec.rmgrInfo() == SlruRedo.CLOG_ZEROPAGE) {
            return Key.SLRU_CLOG;
        }
        if (rec.rmid() == SlruRedo.RM_MULTIXACT_ID && rec.rmgrInfo() == SlruRedo.XLOG_MULTIXACT_ZERO_OFF_PAGE) {
            return Key.SLRU_MULTIXACT_OFFSETS;
        }
        if (rec.rmid() == SlruRedo.RM_MULTIXACT_ID && rec.rmgrInfo() == SlruRedo.XLOG_MULTIXACT_ZERO_MEM_PAGE) {
            return Key.SLRU_MULTIXACT_MEMBERS;
        }
        return null;
    }

    long applied() {
        return applied;
    }

    /** Pages of {@code actual} (the primary's files) that differ from the rebuilt ones, described. */
    List<String> differences(Map<Key, byte[]> actual) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<Key, byte[]> e : actual.entrySet()) {
            byte[] ours = pages.get(e.getKey());
            if (ours == null) {
                out.add(DIRS[e.getKey().f2()] + " page " + SlruPages.pageno(e.getKey()) + ": not rebuilt");
            } else {
                int d = java.util.Arrays.mismatch(ours, e.getValue());
                if (d >= 0) {
                    out.add(DIRS[e.getKey().f2()] + " page " + SlruPages.pageno(e.getKey()) + ": first difference at "
                            + d + String.format(" (strata 0x%02x, primary 0x%02x)", ours[d], e.getValue()[d]));
                }
            }
        }
        return out;
    }
}

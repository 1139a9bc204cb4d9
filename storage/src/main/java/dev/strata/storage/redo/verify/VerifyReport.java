package dev.strata.storage.redo.verify;

import dev.strata.storage.pg.Lsn;
import dev.strata.storage.pg.RelTag;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/** Text output of a {@link RedoVerifier} run, and page dumps of its mismatches. */
public final class VerifyReport {
    private VerifyReport() {
    }

    /** One row per resource manager and record type, then a total row. */
    public static String table(RedoVerifier v) {
        StringBuilder sb = new StringBuilder();
        String fmt = "%-34s %10s %10s %10s %12s %12s%n";
        sb.append(String.format(fmt, "rmgr/type", "records", "verified", "mismatched", "unsupported", "without base"));
        for (Map.Entry<String, TypeStats> e : v.stats().entrySet()) {
            TypeStats s = e.getValue();
            sb.append(String.format(fmt, e.getKey(), s.records(), s.verified(), s.mismatched(), s.unsupported(),
                    s.withoutBase()));
        }
        sb.append(String.format(fmt, "TOTAL", v.totalRecords(), v.total(TypeStats::verified),
                v.total(TypeStats::mismatched), v.total(TypeStats::unsupported), v.total(TypeStats::withoutBase)));
        return sb.toString();
    }

    /**
     * Writes each kept mismatch's pages to {@code dir} as {@code <lsn>_<spc>_<db>_<rel>_<fork>_<blk>.strata} and
     * {@code .primary} (raw 8192-byte pages, unmasked; no {@code .strata} file when redo failed). Each file is
     * written to a temporary name, fsynced and renamed; the directory is fsynced at the end.
     */
    public static void dump(RedoVerifier v, Path dir) throws IOException {
        Files.createDirectories(dir);
        for (Mismatch m : v.mismatches()) {
            RelTag r = m.rel();
            String base = Lsn.format(m.lsn()).replace('/', '-') + "_" + Integer.toUnsignedString(r.spcNode()) + "_"
                    + Integer.toUnsignedString(r.dbNode()) + "_" + Integer.toUnsignedString(r.relNode()) + "_"
                    + RelTag.forkName(r.forkNum()) + "_" + Integer.toUnsignedString(m.blkno());
            if (m.strata() != null) {
                writeAtomically(dir.resolve(base + ".strata"), m.strata());
            }
            writeAtomically(dir.resolve(base + ".primary"), m.primary());
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    private static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(java.nio.ByteBuffer.wrap(bytes));
            ch.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}

package dev.strata.it.wire;

import dev.strata.storage.pg.RelTag;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads relation forks straight from a stopped PostgreSQL data directory's files, independently of Strata's own
 * readers, so tests can compare what the page service answers with what PostgreSQL wrote.
 */
final class SnapshotFiles {
    private static final Pattern REL = Pattern.compile("(\\d+)(?:_(fsm|vm|init))?(?:\\.(\\d+))?");
    private final Path dataDir;

    SnapshotFiles(Path dataDir) {
        this.dataDir = dataDir;
    }

    /** Every relation fork with its size in blocks: global (1664/0) and base/&lt;db&gt; (1663/db). */
    Map<RelTag, Integer> relations() throws IOException {
        Map<RelTag, Integer> out = new TreeMap<>();
        scan(dataDir.resolve("global"), 1664, 0, out);
        try (Stream<Path> dbs = Files.list(dataDir.resolve("base"))) {
            for (Path db : dbs.toList()) {
                scan(db, 1663, Integer.parseInt(db.getFileName().toString()), out);
            }
        }
        return out;
    }

    private static void scan(Path dir, int spc, int db, Map<RelTag, Integer> out) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Matcher m = REL.matcher(f.getFileName().toString());
                if (!m.matches()) {
                    continue;
                }
                int fork = m.group(2) == null ? 0 : switch (m.group(2)) {
                    case "fsm" -> 1;
                    case "vm" -> 2;
                    default -> 3;
                };
                RelTag rel = new RelTag(spc, db, Integer.parseInt(m.group(1)), fork);
                int blocks = (int) (Files.size(f) / 8192);
                out.merge(rel, blocks, Integer::sum);
            }
        }
    }

    /** One block of a fork (cached per segment file, as tests read every block). */
    byte[] page(RelTag rel, int blkno) throws IOException {
        String key = rel + "/" + blkno / 131072;
        byte[] file = cache.get(key);
        if (file == null) {
            file = readSegment(rel, blkno);
            cache.put(key, file);
        }
        int off = (blkno % 131072) * 8192;
        return java.util.Arrays.copyOfRange(file, off, off + 8192);
    }

    private final Map<String, byte[]> cache = new java.util.concurrent.ConcurrentHashMap<>();

    private byte[] readSegment(RelTag rel, int blkno) throws IOException {
        String dir = rel.spcNode() == 1664 ? "global" : "base/" + rel.dbNode();
        String fork = switch (rel.forkNum()) {
            case 1 -> "_fsm";
            case 2 -> "_vm";
            case 3 -> "_init";
            default -> "";
        };
        int seg = blkno / 131072;
        Path f = dataDir.resolve(dir).resolve(rel.relNode() + fork + (seg == 0 ? "" : "." + seg));
        return Files.readAllBytes(f);
    }

    /** An SLRU segment file (pg_xact/0000...). */
    byte[] slru(String dir, int segno) throws IOException {
        return Files.readAllBytes(dataDir.resolve(dir).resolve(String.format("%04X", segno)));
    }

    Path dataDir() {
        return dataDir;
    }
}

package dev.strata.it.ingest;

import dev.strata.it.TestPrimary;
import dev.strata.replication.basebackup.PgDataPath;
import dev.strata.storage.key.Key;
import dev.strata.storage.pg.Lsn;
import dev.strata.storage.pg.RelTag;
import dev.strata.storage.pgdata.DatadirView;
import dev.strata.storage.redo.Masks;
import dev.strata.storage.redo.mask.BufMask;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Compares a stopped-writing primary's data directory with Strata's view of it at an LSN: the set of databases,
 * the set of relation forks and their sizes, every block under PostgreSQL's masks (the access method's
 * {@code rm_mask}; the page LSN and checksum for visibility-map pages), and every pg_xact page.
 *
 * <p>Left out, because PostgreSQL does not WAL-log them and a standby differs from its primary there too:
 * free-space-map forks, and main forks of unlogged relations (base backups skip them as well).
 */
final class DatadirComparison {
    /** What was compared and what differed. */
    record Result(int databases, int relations, long blocks, int clogPages, int excludedForks,
                  List<String> mismatches) {
        boolean ok() {
            return mismatches.isEmpty();
        }

        String summary() {
            return databases + " databases, " + relations + " relation forks, " + blocks + " blocks, " + clogPages
                    + " pg_xact and pg_multixact pages compared (" + excludedForks + " forks not WAL-logged left out); "
                    + mismatches.size() + " mismatches" + (mismatches.isEmpty() ? ""
                    : ":\n  " + String.join("\n  ", mismatches.subList(0, Math.min(40, mismatches.size()))));
        }
    }

    /** How to mask a relation's pages: resource manager id for its rm_mask, 0 for LSN and checksum only. */
    private record RelInfo(int maskRmid, char persistence) {
    }

    private final TestPrimary pg;
    private final Path root;
    private final DatadirView strata;
    private final long lsn;
    private final List<String> mismatches = new ArrayList<>();
    private final Map<Long, RelInfo> relInfo = new HashMap<>();

    private DatadirComparison(TestPrimary pg, Path root, DatadirView strata, long lsn) {
        this.pg = pg;
        this.root = root;
        this.strata = strata;
        this.lsn = lsn;
    }

    /** The primary must have checkpointed after its last write; {@code lsn} is where Strata is read. */
    static Result compare(TestPrimary pg, DatadirView strata, long lsn) throws IOException, SQLException {
        return new DatadirComparison(pg, pg.dataDir(), strata, lsn).run();
    }

    /**
     * Compares the relation files saved under {@code snapshot} (laid out like a data directory: base/db/file) with
     * Strata at {@code lsn}: sizes and blocks of every saved fork. Masks come from the live primary's catalogs.
     */
    static Result compareSnapshot(TestPrimary pg, Path snapshot, DatadirView strata, long lsn)
            throws IOException, SQLException {
        DatadirComparison c = new DatadirComparison(pg, snapshot, strata, lsn);
        Map<Integer, Integer> dbs = c.primaryDatabases();
        for (int db : dbs.keySet()) {
            c.loadRelInfo(db, dbs.get(db));
        }
        long blocks = 0;
        int relations = 0;
        int excluded = 0;
        for (Map.Entry<RelTag, Integer> e : c.filesUnder(snapshot).entrySet()) {
            RelTag rel = e.getKey();
            if (c.excluded(rel)) {
                excluded++;
                continue;
            }
            relations++;
            int mine = strata.relExists(rel, lsn) ? strata.relSize(rel, lsn) : -1;
            if (mine != e.getValue()) {
                c.mismatches.add(rel + " at " + Lsn.format(lsn) + ": " + e.getValue() + " blocks saved, " + mine
                        + " in Strata");
            }
            blocks += c.compareBlocks(rel, Math.min(mine, e.getValue()));
        }
        return new Result(0, relations, blocks, 0, excluded, c.mismatches);
    }

    private Result run() throws IOException, SQLException {
        Map<Integer, Integer> dbs = databases();
        for (int db : dbs.keySet()) {
            loadRelInfo(db, dbs.get(db));
        }
        Map<RelTag, Integer> primaryRels = primaryRelations(dbs);
        Map<RelTag, Integer> strataRels = strataRelations(dbs);
        int excluded = 0;
        long blocks = 0;
        int relations = 0;
        TreeSet<RelTag> all = new TreeSet<>(primaryRels.keySet());
        all.addAll(strataRels.keySet());
        for (RelTag rel : all) {
            if (excluded(rel)) {
                excluded++;
                continue;
            }
            Integer p = primaryRels.get(rel);
            Integer s = strataRels.get(rel);
            if (p == null || s == null) {
                mismatches.add(rel + ": " + (p == null ? "only in Strata (" + s + " blocks)"
                        : "only on the primary (" + p + " blocks)"));
                continue;
            }
            relations++;
            if (!p.equals(s)) {
                mismatches.add(rel + ": " + p + " blocks on the primary, " + s + " in Strata");
            }
            blocks += compareBlocks(rel, Math.min(p, s));
        }
        int clog = compareClog();  // pg_xact and pg_multixact pages
        return new Result(dbs.size() + 1, relations, blocks, clog, excluded, mismatches);
    }

    private Map<Integer, Integer> primaryDatabases() throws SQLException {
        Map<Integer, Integer> dbs = new TreeMap<>();
        try (Connection c = pg.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT oid, dattablespace FROM pg_database")) {
            while (rs.next()) {
                dbs.put((int) rs.getLong(1), (int) rs.getLong(2));
            }
        }
        return dbs;
    }

    /** oid -> tablespace of every database, checked against Strata's database directory. */
    private Map<Integer, Integer> databases() throws SQLException {
        Map<Integer, Integer> dbs = primaryDatabases();
        List<DatadirView.Database> mine = strata.databases(lsn);
        for (int db : dbs.keySet()) {
            if (!mine.contains(new DatadirView.Database(dbs.get(db), db))) {
                mismatches.add("database " + db + " is missing in Strata");
            }
        }
        if (mine.size() != dbs.size() + 1) {
            mismatches.add("Strata lists databases " + mine + ", the primary " + dbs.keySet() + " plus global");
        }
        return dbs;
    }

    private void loadRelInfo(int db, int dbSpc) throws SQLException {
        String name = null;
        try (Connection c = pg.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT datname FROM pg_database WHERE oid = " + db)) {
            rs.next();
            name = rs.getString(1);
        }
        String q = "SELECT pg_relation_filenode(c.oid), c.reltablespace, c.relkind, coalesce(am.amname, ''), "
                + "c.relpersistence FROM pg_class c LEFT JOIN pg_am am ON am.oid = c.relam "
                + "WHERE pg_relation_filenode(c.oid) IS NOT NULL";
        try (Connection c = pg.connect(name); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(q)) {
            while (rs.next()) {
                int spc = (int) rs.getLong(2);
                int relDb = spc == 1664 ? 0 : db;
                int relSpc = spc == 0 ? dbSpc : spc;
                relInfo.put(relKey(relSpc, relDb, (int) rs.getLong(1)),
                        new RelInfo(maskRmid(rs.getString(3).charAt(0), rs.getString(4)), rs.getString(5).charAt(0)));
            }
        }
    }

    private static long relKey(int spc, int db, int rel) {
        return ((long) spc << 48) ^ ((long) db << 24) ^ Integer.toUnsignedLong(rel);
    }

    private static int maskRmid(char relkind, String am) {
        if (relkind == 'S') {
            return 15;
        }
        return switch (am) {
            case "heap" -> 10;
            case "btree" -> 11;
            case "hash" -> 12;
            case "gin" -> 13;
            case "gist" -> 14;
            case "spgist" -> 16;
            case "brin" -> 17;
            default -> 0;
        };
    }

    private boolean excluded(RelTag rel) {
        if (rel.forkNum() == RelTag.FSM_FORKNUM) {
            return true;
        }
        RelInfo info = relInfo.get(relKey(rel.spcNode(), rel.dbNode(), rel.relNode()));
        return info != null && info.persistence() == 'u' && rel.forkNum() != RelTag.INIT_FORKNUM;
    }

    private Map<RelTag, Integer> primaryRelations(Map<Integer, Integer> dbs) throws IOException {
        return filesUnder(root);
    }

    /** Relation forks and their sizes in blocks, from the files under {@code dir}'s global/ and base/db/. */
    private Map<RelTag, Integer> filesUnder(Path dir) throws IOException {
        Map<RelTag, Integer> rels = new TreeMap<>();
        List<Path> dirs = new ArrayList<>();
        if (Files.isDirectory(dir.resolve("global"))) {
            dirs.add(dir.resolve("global"));
        }
        try (Stream<Path> dbDirs = Files.list(dir.resolve("base"))) {
            dirs.addAll(dbDirs.toList());
        }
        for (Path d : dirs) {
            try (Stream<Path> files = Files.list(d)) {
                for (Path f : files.toList()) {
                    String rel = dir.relativize(f).toString();
                    if (PgDataPath.of(null, rel, false) instanceof PgDataPath.RelationFile r) {
                        int n = (int) (r.segno() * 131072L + Files.size(f) / 8192);
                        rels.merge(r.rel(), n, Math::max);
                    }
                }
            }
        }
        return rels;
    }

    private Map<RelTag, Integer> strataRelations(Map<Integer, Integer> dbs) {
        Map<RelTag, Integer> rels = new TreeMap<>();
        for (DatadirView.Database d : strata.databases(lsn)) {
            for (RelTag rel : strata.relations(d.spcNode(), d.dbNode(), lsn)) {
                rels.put(rel, strata.relSize(rel, lsn));
            }
        }
        return rels;
    }

    private long compareBlocks(RelTag rel, int n) throws IOException {
        RelInfo info = relInfo.get(relKey(rel.spcNode(), rel.dbNode(), rel.relNode()));
        // Visibility-map pages are logged by heap records and masked with heap_mask, as wal_consistency_checking
        // does (its mask_unused_space covers the bitmap: CREATE DATABASE ... WAL_LOG logs VM pages with the
        // bitmap in the page "hole", so a standby's bits differ from its primary's).
        int rmid = rel.forkNum() == RelTag.VISIBILITYMAP_FORKNUM ? 10 : info == null ? 0 : info.maskRmid();
        long compared = 0;
        int reported = 0;
        for (int seg = 0; (long) seg * 131072 < n; seg++) {
            Path file = segmentFile(rel, seg);
            byte[] data = Files.readAllBytes(file);
            int first = seg * 131072;
            for (int b = first; b < Math.min(n, first + 131072); b++) {
                byte[] mine;
                try {
                    mine = strata.relPage(rel, b, lsn).clone();
                } catch (RuntimeException e) {
                    if (reported++ < 3) {
                        mismatches.add(rel + " block " + b + " cannot be read from Strata: " + e.getMessage());
                    }
                    continue;
                }
                byte[] theirs = Arrays.copyOfRange(data, (b - first) * 8192, (b - first + 1) * 8192);
                try {
                    mask(rmid, mine, b);
                    mask(rmid, theirs, b);
                } catch (RuntimeException e) {
                    mismatches.add(rel + " block " + b + " cannot be masked: " + e.getMessage());
                    continue;
                }
                compared++;
                if (!Arrays.equals(mine, theirs) && reported++ < 3) {
                    mismatches.add(rel + " block " + b + " differs under mask of rmgr " + rmid
                            + " at byte " + Arrays.mismatch(mine, theirs));
                }
            }
        }
        return compared;
    }

    private Path segmentFile(RelTag rel, int seg) {
        String dir = rel.spcNode() == 1664 ? "global" : "base/" + Integer.toUnsignedString(rel.dbNode());
        String name = Integer.toUnsignedString(rel.relNode())
                + (rel.forkNum() == RelTag.MAIN_FORKNUM ? "" : "_" + RelTag.forkName(rel.forkNum()))
                + (seg == 0 ? "" : "." + seg);
        return root.resolve(dir).resolve(name);
    }

    /**
     * New (all-zero) pages are left as they are: PostgreSQL's masks only ever see initialised pages. On an SP-GiST
     * metapage the last-used-pages cache (bytes 28 to 92) is also masked: SpGistUpdateMetaPage changes it without
     * WAL ("don't WAL-log metabuffer changes to decrease WAL traffic"), so no WAL record ever carries it.
     */
    private static void mask(int rmid, byte[] page, int blkno) {
        if (isZero(page)) {
            return;
        }
        if (rmid == 16 && blkno == 0) {
            Arrays.fill(page, 28, 92, (byte) 0);
        }
        if (rmid != 0 && Masks.hasMask(rmid)) {
            Masks.mask(rmid, page, blkno);
        } else {
            BufMask.maskPageLsnAndChecksum(page);
        }
    }

    private static boolean isZero(byte[] page) {
        for (byte b : page) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private int compareClog() throws IOException {
        return compareSlru(Key.SLRU_CLOG, "pg_xact") + compareSlru(Key.SLRU_MULTIXACT_OFFSETS, "pg_multixact/offsets")
                + compareSlru(Key.SLRU_MULTIXACT_MEMBERS, "pg_multixact/members");
    }

    /** Segment list, sizes and every page of one SLRU. */
    private int compareSlru(int kind, String name) throws IOException {
        Path dir = root.resolve(name);
        List<Integer> mine = strata.slruSegments(kind, lsn);
        List<Integer> theirs = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.forEach(f -> theirs.add(Integer.parseInt(f.getFileName().toString(), 16)));
        }
        theirs.sort(null);
        if (!theirs.equals(mine)) {
            mismatches.add(name + " segments: primary " + theirs + ", Strata " + mine);
        }
        int pages = 0;
        for (int seg : theirs) {
            if (!mine.contains(seg)) {
                continue;
            }
            String file = name + "/" + String.format("%04X", seg);
            byte[] primary = Files.readAllBytes(root.resolve(file));
            byte[] ours = strata.slruSegment(kind, seg, lsn);
            if (primary.length != ours.length) {
                mismatches.add(file + ": " + primary.length / 8192 + " pages on the primary, " + ours.length / 8192
                        + " in Strata");
            }
            for (int p = 0; p < Math.min(primary.length, ours.length) / 8192; p++) {
                pages++;
                if (!Arrays.equals(primary, p * 8192, (p + 1) * 8192, ours, p * 8192, (p + 1) * 8192)) {
                    mismatches.add(file + " page " + p + " differs at LSN " + Lsn.format(lsn) + " at byte "
                            + Arrays.mismatch(Arrays.copyOfRange(primary, p * 8192, (p + 1) * 8192),
                            Arrays.copyOfRange(ours, p * 8192, (p + 1) * 8192)));
                }
            }
        }
        return pages;
    }
}

package dev.strata.it.ingest;

import dev.strata.it.TestPrimary;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The primary's pages of some relations at one LSN: taken while nothing writes, after a CHECKPOINT, by copying
 * their files (every fork and segment) into a directory laid out like a data directory.
 *
 * @param lsn  the primary's insert position right after the checkpoint: every record before it is in the files
 * @param root the copy
 */
record TimeTravelSnapshot(long lsn, Path root) {
    /** Copies every relation of database postgres whose name matches {@code likePattern}. */
    static TimeTravelSnapshot take(TestPrimary pg, Path root, String likePattern) throws SQLException, IOException {
        pg.sql("CHECKPOINT");
        long lsn = pg.currentInsertLsn();
        List<String> paths = new ArrayList<>();
        try (Connection c = pg.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_relation_filepath(oid) FROM pg_class WHERE relname LIKE '"
                     + likePattern + "' AND pg_relation_filepath(oid) IS NOT NULL")) {
            while (rs.next()) {
                paths.add(rs.getString(1));
            }
        }
        for (String p : paths) {
            Path file = pg.dataDir().resolve(p);
            Path target = Files.createDirectories(root.resolve(p).getParent());
            String node = file.getFileName().toString();
            try (Stream<Path> siblings = Files.list(file.getParent())) {
                for (Path f : siblings.toList()) {
                    String n = f.getFileName().toString();
                    if (n.equals(node) || n.startsWith(node + "_") || n.startsWith(node + ".")) {
                        Files.copy(f, target.resolve(n));
                    }
                }
            }
        }
        return new TimeTravelSnapshot(lsn, root);
    }
}

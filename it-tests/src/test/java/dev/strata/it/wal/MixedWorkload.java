package dev.strata.it.wal;

import dev.strata.it.TestPrimary;

/**
 * The mixed workload of the WAL tests: pgbench initialisation and a short run; a table with btree, hash, gin,
 * gist, spgist and brin indexes; a sequence; TOAST-sized values; UPDATE, DELETE, VACUUM and VACUUM FREEZE;
 * CREATE DATABASE; TRUNCATE. Object names carry a suffix so that the workload can run several times on one primary.
 */
final class MixedWorkload {
    private MixedWorkload() {
    }

    static void run(TestPrimary pg, String suffix) throws Exception {
        pg.pgbench("-i", "-s", "1", "-q");
        pg.pgbench("-c", "2", "-j", "2", "-t", "150");
        String t = "mixed_" + suffix;
        pg.sql("CREATE TABLE " + t + " (id int PRIMARY KEY, n int, tags text[], pt point, r int4range, body text)",
                "CREATE INDEX ON " + t + " USING hash (n)",
                "CREATE INDEX ON " + t + " USING gin (tags)",
                "CREATE INDEX ON " + t + " USING gist (pt)",
                "CREATE INDEX ON " + t + " USING spgist (r)",
                "CREATE INDEX ON " + t + " USING brin (id)",
                "CREATE SEQUENCE " + t + "_seq",
                "INSERT INTO " + t + " SELECT g, g % 100, ARRAY['a' || g % 10, 'b' || g % 7], point(g % 100, g / 100),"
                        + " int4range(g, g + 10), md5(g::text) FROM generate_series(1, 4000) g",
                "SELECT nextval('" + t + "_seq') FROM generate_series(1, 50)",
                // TOAST-sized, hard to compress: stored out of line
                "INSERT INTO " + t + " SELECT 100000 + g, g, ARRAY['toast'], point(0, 0), int4range(0, 1), "
                        + "(SELECT string_agg(md5(random()::text || i), '') FROM generate_series(1, 200) i) "
                        + "FROM generate_series(1, 20) g",
                "UPDATE " + t + " SET n = n + 1, tags = tags || 'c'::text WHERE id % 3 = 0",
                "UPDATE " + t + " SET body = body || 'x' WHERE id > 100000 AND id % 2 = 0",
                "DELETE FROM " + t + " WHERE id % 5 = 0",
                "VACUUM " + t,
                "VACUUM FREEZE " + t,
                "CREATE DATABASE db_" + suffix,
                "TRUNCATE " + t);
    }
}

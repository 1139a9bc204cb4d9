package dev.strata.it.redo;

import dev.strata.it.TestPrimary;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A workload meant to make a PostgreSQL 15 primary write every page-changing record type Strata replays. Each
 * step names the record types it is there for.
 */
final class RedoWorkload {
    private final TestPrimary pg;
    private final int scale;

    /** @param scale multiplies row counts (1 for the default run) */
    RedoWorkload(TestPrimary pg, int scale) {
        this.pg = pg;
        this.scale = scale;
    }

    void run() throws Exception {
        heapBasics();
        rowLocksAndMultiXacts();
        btreeShapes();
        everyIndexAccessMethod();
        indexChurn();
        vacuumAndFreeze();
        truncation();
        rewrites();
        transactions();
        sequencesUnloggedGeneric();
        pg.pgbench("-i", "-s", "1", "-q");
        pg.pgbench("-c", "2", "-t", String.valueOf(150 * scale), "-n");
        pg.sql("VACUUM (INDEX_CLEANUP ON) pgbench_accounts");
    }

    /** Heap INSERT(+INIT), UPDATE, HOT_UPDATE, DELETE, CONFIRM (ON CONFLICT), INPLACE, MULTI_INSERT (COPY), TOAST. */
    private void heapBasics() throws SQLException {
        int n = 3000 * scale;
        pg.sql("CREATE TABLE h (id int PRIMARY KEY, k int, v text, pad text) WITH (fillfactor = 80)",
                "INSERT INTO h SELECT g, g % 100, 'v' || g, repeat('x', g % 50) FROM generate_series(1, " + n + ") g",
                "UPDATE h SET v = v || '!' WHERE id % 7 = 0",
                "UPDATE h SET k = k + 1000, pad = repeat('y', 300) WHERE id % 11 = 0",
                "DELETE FROM h WHERE id % 13 = 0",
                "INSERT INTO h VALUES (1, 1, 'dup', '') ON CONFLICT (id) DO UPDATE SET v = 'conflict'",
                "INSERT INTO h VALUES (" + (n + 1) + ", 1, 'spec', '') ON CONFLICT (id) DO NOTHING",
                "CREATE TABLE big (id int, body text)",
                "INSERT INTO big SELECT g, repeat(md5(g::text), 400) FROM generate_series(1, 20) g",
                "UPDATE big SET body = body || 'z' WHERE id < 5",
                "CREATE TABLE copied (a int)",
                "COPY copied FROM PROGRAM 'seq 1 " + (5000 * scale) + "'",
                "BEGIN; CREATE TABLE frozen_copy (a int); COPY frozen_copy FROM PROGRAM 'seq 1 2000' WITH (FREEZE); COMMIT",
                "ANALYZE h");
    }

    /** Heap LOCK, Heap2 LOCK_UPDATED, MultiXact ZERO pages and CREATE_ID, from concurrent sessions. */
    private void rowLocksAndMultiXacts() throws SQLException {
        try (Connection a = pg.connect(); Connection b = pg.connect(); Connection c = pg.connect()) {
            a.setAutoCommit(false);
            b.setAutoCommit(false);
            c.setAutoCommit(false);
            exec(a, "SELECT * FROM h WHERE id BETWEEN 1 AND 400 FOR SHARE");
            exec(b, "SELECT * FROM h WHERE id BETWEEN 200 AND 600 FOR SHARE");
            exec(c, "SELECT * FROM h WHERE id BETWEEN 300 AND 350 FOR KEY SHARE");
            a.commit();
            b.commit();
            c.commit();
            exec(a, "SELECT * FROM h WHERE id BETWEEN 700 AND 800 FOR KEY SHARE");
            exec(b, "UPDATE h SET v = 'mx-upd' WHERE id BETWEEN 700 AND 750");
            b.commit();
            a.commit();
            exec(a, "UPDATE h SET v = 'pending' WHERE id BETWEEN 900 AND 950");
            exec(b, "SELECT * FROM h WHERE id BETWEEN 900 AND 950 FOR KEY SHARE");
            a.commit();
            b.commit();
            exec(a, "SELECT * FROM h WHERE id BETWEEN 1000 AND 1100 FOR UPDATE");
            exec(a, "SELECT * FROM h WHERE id BETWEEN 1000 AND 1010 FOR NO KEY UPDATE");
            a.rollback();
        }
    }

    /** Btree splits (leaf and upper), new roots, dedup, posting-list splits, page deletion, META_CLEANUP. */
    private void btreeShapes() throws SQLException {
        int n = 20000 * scale;
        pg.sql("CREATE TABLE bt (id int, dup int, t text)",
                "CREATE INDEX bt_id ON bt (id)",
                "CREATE INDEX bt_dup ON bt (dup)",
                "CREATE INDEX bt_t ON bt (t)",
                "INSERT INTO bt SELECT g, g % 10, md5(g::text) FROM generate_series(1, " + n + ") g",
                "INSERT INTO bt SELECT g, 5, md5(g::text) FROM generate_series(" + n + ", 1, -3) g",
                "DELETE FROM bt WHERE id BETWEEN 2000 AND " + (n - 2000),
                "VACUUM bt",
                "INSERT INTO bt SELECT g, g % 10, 'again' FROM generate_series(1, 3000) g",
                "VACUUM bt");
    }

    /** CREATE INDEX for btree, hash, gin, gist, spgist, brin, and inserts, deletes and vacuums through them. */
    private void everyIndexAccessMethod() throws SQLException {
        int n = 4000 * scale;
        pg.sql("CREATE TABLE ams (id int, arr int[], pt point, rng int4range, txt text)",
                "INSERT INTO ams SELECT g, ARRAY[g % 17, g % 5], point(g % 97, g % 89), int4range(g, g + 10), "
                        + "md5(g::text) FROM generate_series(1, " + n + ") g",
                "CREATE INDEX ams_hash ON ams USING hash (id)",
                "CREATE INDEX ams_gin ON ams USING gin (arr)",
                "CREATE INDEX ams_gist ON ams USING gist (pt)",
                "CREATE INDEX ams_gist_rng ON ams USING gist (rng)",
                "CREATE INDEX ams_spgist ON ams USING spgist (txt)",
                "CREATE INDEX ams_spgist_pt ON ams USING spgist (pt)",
                "CREATE INDEX ams_brin ON ams USING brin (id) WITH (pages_per_range = 2)",
                "INSERT INTO ams SELECT g, ARRAY[g % 13], point(g % 31, g % 37), int4range(g, g + 3), "
                        + "md5((g * 7)::text) FROM generate_series(" + (n + 1) + ", " + (2 * n) + ") g",
                "DELETE FROM ams WHERE id % 3 = 0",
                "VACUUM ams",
                "SELECT brin_summarize_new_values('ams_brin')",
                "SELECT brin_desummarize_range('ams_brin', 0)");
    }

    /**
     * Btree DELETE (bottom-up deletion under non-HOT updates) and page reuse; GIN posting trees (CREATE_PTREE,
     * data-page inserts and splits, VACUUM_DATA_LEAF_PAGE, DELETE_PAGE); GiST page deletion; hash squeeze and
     * page moves; SP-GiST node additions and tuple splits; BRIN summary updates that move the tuple.
     */
    private void indexChurn() throws SQLException {
        int n = 3000 * scale;
        pg.sql("CREATE TABLE bu (a int, b int, c int)",
                "CREATE INDEX bu_a ON bu (a)",
                "CREATE INDEX bu_b ON bu (b)",
                "INSERT INTO bu SELECT g, g, g FROM generate_series(1, " + n + ") g",
                "UPDATE bu SET b = b + 1",
                "UPDATE bu SET b = b + 1",
                "UPDATE bu SET b = b + 1 WHERE a % 2 = 0",
                "CREATE TABLE gt (arr int[])",
                "CREATE INDEX gt_gin ON gt USING gin (arr) WITH (fastupdate = off)",
                "INSERT INTO gt SELECT ARRAY[g % 3, g % 1000] FROM generate_series(1, " + (12000 * scale) + ") g",
                "DELETE FROM gt WHERE (arr)[2] > 20",
                "VACUUM gt",
                "CREATE TABLE gp (p point)",
                "CREATE INDEX gp_gist ON gp USING gist (p)",
                "INSERT INTO gp SELECT point(g % 200, g / 200) FROM generate_series(1, " + (8000 * scale) + ") g",
                "DELETE FROM gp WHERE p[1] > 5",
                "VACUUM gp",
                "INSERT INTO gp SELECT point(g % 50, g) FROM generate_series(1, 2000) g",
                "CREATE TABLE hs (id int)",
                "CREATE INDEX hs_hash ON hs USING hash (id)",
                "INSERT INTO hs SELECT g % 500 FROM generate_series(1, " + (12000 * scale) + ") g",
                "DELETE FROM hs WHERE id % 10 <> 0",
                "VACUUM hs",
                "CREATE TABLE sp (t text)",
                "CREATE INDEX sp_spgist ON sp USING spgist (t)",
                "INSERT INTO sp SELECT 'prefix/' || (g % 7) || '/common/' || g FROM generate_series(1, "
                        + (4000 * scale) + ") g",
                "INSERT INTO sp SELECT 'pre' || g FROM generate_series(1, 500) g",
                "DELETE FROM sp WHERE t LIKE 'prefix/1%'",
                "VACUUM sp",
                "CREATE TABLE spr (t text)",
                "CREATE INDEX spr_spgist ON spr USING spgist (t)",
                "INSERT INTO spr VALUES ('a'), ('b'), ('c')",
                "DELETE FROM spr WHERE t <> 'a'",
                "VACUUM spr",
                "CREATE TABLE br (id int, t text)",
                "INSERT INTO br SELECT g, 'm' FROM generate_series(1, 2000) g",
                "CREATE INDEX br_brin ON br USING brin (id, t) WITH (pages_per_range = 4)",
                "UPDATE br SET t = repeat('z', 200) WHERE id = 3",
                "INSERT INTO br SELECT g, repeat('a', g % 300) FROM generate_series(2001, 4000) g");
    }

    /** Storage TRUNCATE of a heap with a visibility map (VACUUM cutting off empty tail pages). */
    private void truncation() throws SQLException {
        pg.sql("CREATE TABLE tr (id int, pad text)",
                "INSERT INTO tr SELECT g, repeat('t', 100) FROM generate_series(1, " + (6000 * scale) + ") g",
                "VACUUM tr",
                "DELETE FROM tr WHERE id > 150",
                "VACUUM tr");
    }

    /** PRUNE, VACUUM (INDEX_CLEANUP), FREEZE_PAGE, VISIBLE, VM clearing, truncation of trailing empty pages. */
    private void vacuumAndFreeze() throws SQLException {
        pg.sql("VACUUM (INDEX_CLEANUP ON) h",
                "UPDATE h SET v = 'after-vacuum' WHERE id % 17 = 0",
                "VACUUM (FREEZE) h",
                "DELETE FROM h WHERE id > " + (2500 * scale),
                "VACUUM h",
                "SELECT count(*) FROM h WHERE v LIKE 'v1%'");
    }

    /** CLUSTER, REINDEX, VACUUM FULL, ALTER TABLE SET TABLESPACE-free rewrites, TRUNCATE, DROP. */
    private void rewrites() throws SQLException {
        pg.sql("CLUSTER h USING h_pkey",
                "REINDEX TABLE bt",
                "VACUUM FULL copied",
                "TRUNCATE big",
                "INSERT INTO big VALUES (1, 'after truncate')",
                "DROP TABLE frozen_copy");
    }

    /** Subtransactions, aborts, prepared transactions (commit and rollback). */
    private void transactions() throws SQLException {
        pg.sql("CREATE TABLE tx (a int)");
        try (Connection a = pg.connect()) {
            a.setAutoCommit(false);
            for (int i = 0; i < 70; i++) {
                exec(a, "SAVEPOINT s" + i);
                exec(a, "INSERT INTO tx VALUES (" + i + ")");
                if (i % 5 == 0) {
                    exec(a, "ROLLBACK TO SAVEPOINT s" + i);
                }
            }
            a.commit();
            exec(a, "INSERT INTO tx VALUES (-1)");
            a.rollback();
        }
        pg.sql("BEGIN; INSERT INTO tx VALUES (100); SAVEPOINT p; INSERT INTO tx VALUES (101); PREPARE TRANSACTION 'p1'",
                "BEGIN; INSERT INTO tx VALUES (200); PREPARE TRANSACTION 'p2'",
                "COMMIT PREPARED 'p1'",
                "ROLLBACK PREPARED 'p2'");
    }

    /** Sequence LOG, unlogged tables (init fork), generic WAL (bloom). */
    private void sequencesUnloggedGeneric() throws SQLException {
        pg.sql("CREATE SEQUENCE s",
                "SELECT nextval('s') FROM generate_series(1, 100)",
                "CREATE TABLE withserial (id serial, t text)",
                "INSERT INTO withserial (t) SELECT 'x' FROM generate_series(1, 200)",
                "CREATE UNLOGGED TABLE u (a int PRIMARY KEY, b text)",
                "INSERT INTO u SELECT g, 'u' FROM generate_series(1, 1000) g",
                "CREATE EXTENSION bloom",
                "CREATE TABLE bl (a int, b int)",
                "INSERT INTO bl SELECT g, g % 50 FROM generate_series(1, 3000) g",
                "CREATE INDEX bl_idx ON bl USING bloom (a, b)",
                "INSERT INTO bl SELECT g, g % 7 FROM generate_series(1, 500) g",
                "DELETE FROM bl WHERE a % 4 = 0",
                "VACUUM bl");
    }

    private static void exec(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}

package dev.strata.it.ingest;

import dev.strata.it.TestPrimary;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The primary's work in the ingest tests: pgbench and a DDL mix that touches every kind of record the ingest
 * interprets (relation create, truncate and drop, both CREATE DATABASE strategies and DROP DATABASE, several index
 * access methods, sequences, an unlogged table, VACUUM with truncation, subtransactions, a prepared transaction,
 * multixacts, TOAST).
 */
final class Workload {
    /** Whether the heavier variant of the tests was asked for. */
    static final boolean HEAVY = Boolean.getBoolean("strata.heavy");

    private Workload() {
    }

    static int scale() {
        return HEAVY ? 10 : 2;
    }

    static int seconds() {
        return HEAVY ? 60 : 15;
    }

    /** A primary with the settings these tests need: no autovacuum surprises in the middle of a comparison. */
    static TestPrimary startPrimary() throws IOException, SQLException {
        TestPrimary pg = TestPrimary.builder().setting("autovacuum", "off").start();
        pg.sql("ALTER DATABASE template0 ALLOW_CONNECTIONS true");
        return pg;
    }

    static void pgbenchInit(TestPrimary pg, int scale) throws IOException {
        pg.pgbench("-i", "-q", "-s", Integer.toString(scale));
    }

    static void pgbenchRun(TestPrimary pg, int seconds) throws IOException {
        pg.pgbench("-c", "4", "-j", "2", "-T", Integer.toString(seconds), "-n");
    }

    /** The DDL mix of the issue plus what exercises subtransactions, 2PC and multixacts. */
    static void ddlMix(TestPrimary pg) throws SQLException {
        pg.sql("CREATE TABLE mix_a (id int PRIMARY KEY, t text, p point, arr int[], r int4range)",
                "INSERT INTO mix_a SELECT g, repeat('x', g % 50), point(g, g), ARRAY[g, g + 1], int4range(g, g + 10) "
                        + "FROM generate_series(1, 20000) g",
                "CREATE INDEX mix_a_hash ON mix_a USING hash (id)",
                "CREATE INDEX mix_a_gin ON mix_a USING gin (arr)",
                "CREATE INDEX mix_a_gist ON mix_a USING gist (p)",
                "CREATE INDEX mix_a_spgist ON mix_a USING spgist (r)",
                "CREATE INDEX mix_a_brin ON mix_a USING brin (id)",
                "CREATE INDEX mix_a_t ON mix_a (t)",
                "CREATE TABLE mix_toast (id int, big text)",
                "INSERT INTO mix_toast SELECT g, string_agg(md5(g::text || i::text), '') FROM generate_series(1, 50) g, "
                        + "generate_series(1, 200) i GROUP BY g",
                "CREATE SEQUENCE mix_seq",
                "SELECT nextval('mix_seq') FROM generate_series(1, 100)",
                // nextval logs 32 values ahead and keeps the page behind that in memory; setval logs the exact
                // state, so the primary's page and the one WAL rebuilds agree
                "SELECT setval('mix_seq', 100)",
                "CREATE UNLOGGED TABLE mix_unlogged (id int PRIMARY KEY)",
                "INSERT INTO mix_unlogged SELECT generate_series(1, 1000)",
                "CREATE TABLE mix_drop AS SELECT generate_series(1, 5000) AS id",
                "DROP TABLE mix_drop",
                "CREATE TABLE mix_trunc AS SELECT generate_series(1, 5000) AS id",
                "TRUNCATE mix_trunc",
                "INSERT INTO mix_trunc SELECT generate_series(1, 100)",
                "DELETE FROM mix_a WHERE id > 15000",
                "VACUUM mix_a",
                "UPDATE mix_a SET t = t || 'y' WHERE id % 7 = 0",
                "VACUUM (FREEZE) pgbench_branches",
                "CREATE DATABASE mix_fc STRATEGY FILE_COPY",
                "CREATE DATABASE mix_wl STRATEGY WAL_LOG",
                "CREATE DATABASE mix_gone STRATEGY WAL_LOG",
                "DROP DATABASE mix_gone");
        pg.sqlIn("mix_fc", "CREATE TABLE in_fc AS SELECT generate_series(1, 1000) AS id");
        pg.sqlIn("mix_wl", "CREATE TABLE in_wl (id int PRIMARY KEY)", "INSERT INTO in_wl SELECT generate_series(1, 1000)");
        subtransactionsAndTwoPhase(pg);
        multixacts(pg);
    }

    private static void subtransactionsAndTwoPhase(TestPrimary pg) throws SQLException {
        try (Connection c = pg.connect(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("CREATE TABLE IF NOT EXISTS mix_sub (id int)");
            for (int i = 0; i < 70; i++) {
                s.execute("SAVEPOINT sp" + i);
                s.execute("INSERT INTO mix_sub VALUES (" + i + ")");
                if (i % 3 == 0) {
                    s.execute("ROLLBACK TO SAVEPOINT sp" + i);
                }
            }
            c.commit();
            s.execute("INSERT INTO mix_sub VALUES (-1)");
            s.execute("PREPARE TRANSACTION 'mix_2pc_committed'");
            c.setAutoCommit(true);
            s.execute("COMMIT PREPARED 'mix_2pc_committed'");
            c.setAutoCommit(false);
            s.execute("INSERT INTO mix_sub VALUES (-2)");
            s.execute("PREPARE TRANSACTION 'mix_2pc_open'");
            c.setAutoCommit(true);
        }
    }

    private static void multixacts(TestPrimary pg) throws SQLException {
        try (Connection a = pg.connect(); Connection b = pg.connect();
             Statement sa = a.createStatement(); Statement sb = b.createStatement()) {
            a.setAutoCommit(false);
            b.setAutoCommit(false);
            sa.execute("SELECT * FROM pgbench_branches FOR SHARE");
            sb.execute("SELECT * FROM pgbench_branches FOR SHARE");
            a.commit();
            b.commit();
        }
    }
}

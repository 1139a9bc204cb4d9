package dev.strata.it.backup;

import dev.strata.it.TestPrimary;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Fills a primary with what a backup must carry: three databases (one created with FILE_COPY), tables with
 * indexes of every built-in access method (btree, hash, gin, gist, spgist, brin), TOAST, a sequence, dead and
 * HOT-updated tuples with VM and FSM forks after VACUUM, a partitioned table, a materialized view, a large object,
 * an unlogged table, a table in another tablespace, a multixact, subtransactions and a prepared transaction.
 */
final class ClusterFixture {
    static final List<String> DATABASES = List.of("postgres", "app1", "app2");

    private ClusterFixture() {
    }

    static void populate(TestPrimary pg, String tablespaceDir) throws SQLException {
        pg.sql("CREATE DATABASE app1", "CREATE DATABASE app2 STRATEGY FILE_COPY",
                "CREATE TABLESPACE ts LOCATION '" + tablespaceDir + "'");
        for (String db : DATABASES) {
            pg.sqlIn(db,
                    "CREATE TABLE items(id serial PRIMARY KEY, name text, tags text[], doc jsonb, pt point, "
                            + "rng int4range, body text)",
                    "INSERT INTO items(name, tags, doc, pt, rng, body) SELECT 'item ' || g, "
                            + "ARRAY['t' || (g % 10), 'u' || (g % 7)], jsonb_build_object('g', g, 'sq', g * g), "
                            + "point(g % 100, g / 100), int4range(g, g + 10), "
                            + "CASE WHEN g % 500 = 0 THEN (SELECT string_agg(md5(i::text || g), '') "
                            + "FROM generate_series(1, 300) i) ELSE md5(g::text) END "
                            + "FROM generate_series(1, 12000) g",
                    "CREATE INDEX items_name_hash ON items USING hash (name)",
                    "CREATE INDEX items_tags_gin ON items USING gin (tags)",
                    "CREATE INDEX items_doc_gin ON items USING gin (doc jsonb_path_ops)",
                    "CREATE INDEX items_pt_gist ON items USING gist (pt)",
                    "CREATE INDEX items_pt_spgist ON items USING spgist (pt)",
                    "CREATE INDEX items_id_brin ON items USING brin (id)",
                    "CREATE INDEX items_rng_gist ON items USING gist (rng)",
                    "CREATE INDEX items_body_btree ON items (left(body, 20))",
                    "DELETE FROM items WHERE id % 13 = 0",
                    "UPDATE items SET name = name || '!' WHERE id % 17 = 0",
                    "VACUUM items",
                    "CREATE SEQUENCE counter",
                    "SELECT nextval('counter') FROM generate_series(1, 42)",
                    "CREATE TABLE events(id int, at date, what text) PARTITION BY RANGE (at)",
                    "CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
                    "CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')",
                    "INSERT INTO events SELECT g, date '2024-01-01' + g % 700, 'e' || g FROM generate_series(1, 3000) g",
                    "CREATE MATERIALIZED VIEW item_stats AS SELECT id % 10 AS k, count(*) AS n FROM items GROUP BY 1",
                    "CREATE UNLOGGED TABLE scratch(a int PRIMARY KEY, b text)",
                    "INSERT INTO scratch SELECT g, 'x' FROM generate_series(1, 1000) g",
                    "CREATE TABLE in_ts(a int, b text) TABLESPACE ts",
                    "INSERT INTO in_ts SELECT g, md5(g::text) FROM generate_series(1, 2000) g",
                    "CREATE INDEX in_ts_a ON in_ts (a) TABLESPACE ts");
        }
        pg.sql("SELECT lo_from_bytea(0, convert_to(repeat('large object ', 1000), 'UTF8'))");
        multixactAndSubtransactions(pg);
        pg.sql("BEGIN", "INSERT INTO items(name) VALUES ('prepared')", "PREPARE TRANSACTION 'p1'");
    }

    /**
     * Sets every sequence to its current value with setval, which WAL-logs exactly that value. Otherwise a copy
     * rebuilt from WAL (a standby, or Strata) shows the value nextval logged ahead (up to 32 more), while the
     * primary's pg_dump shows the value in its buffer.
     */
    static void pinSequences(TestPrimary pg) throws SQLException {
        for (String db : DATABASES) {
            pg.sqlIn(db, "DO $$ DECLARE r record; BEGIN FOR r IN SELECT schemaname, sequencename, last_value "
                    + "FROM pg_sequences WHERE last_value IS NOT NULL LOOP PERFORM setval(format('%I.%I', "
                    + "r.schemaname, r.sequencename), r.last_value); END LOOP; END $$");
        }
    }

    /** pg_dump of one database of the server on {@code port}, without its random restrict key lines. */
    static String dump(TestPrimary pg, int port, String db) throws IOException {
        String text = pg.tool("pg_dump", "-h", "127.0.0.1", "-p", Integer.toString(port), "-U", "postgres",
                "--no-unlogged-table-data", db);
        return text.replaceAll("(?m)^\\\\(un)?restrict \\S+$", "");
    }

    private static void multixactAndSubtransactions(TestPrimary pg) throws SQLException {
        try (Connection a = pg.connect(); Connection b = pg.connect();
             Statement sa = a.createStatement(); Statement sb = b.createStatement()) {
            a.setAutoCommit(false);
            b.setAutoCommit(false);
            sa.execute("SELECT * FROM items WHERE id = 1 FOR SHARE");
            sb.execute("SELECT * FROM items WHERE id = 1 FOR SHARE");
            a.commit();
            b.commit();
            sa.execute("SAVEPOINT s1");
            sa.execute("INSERT INTO items(name) VALUES ('in a subtransaction')");
            sa.execute("SAVEPOINT s2");
            sa.execute("INSERT INTO items(name) VALUES ('rolled back')");
            sa.execute("ROLLBACK TO SAVEPOINT s2");
            a.commit();
        }
    }
}

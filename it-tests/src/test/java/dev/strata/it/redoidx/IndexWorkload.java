package dev.strata.it.redoidx;

import dev.strata.it.TestPrimary;
import org.postgresql.PGConnection;

import java.io.StringReader;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A workload that makes a PostgreSQL 15 primary write every page-changing record type of the six index access
 * methods: btree (splits, new roots, deduplication, posting list splits, simple and bottom-up deletion, VACUUM,
 * page deletion with and without a metapage change, page reuse, metapage cleanup), hash (bucket splits, overflow
 * pages, squeeze, VACUUM, LP_DEAD cleanup at insert), GIN (entry and posting trees, posting tree page deletion,
 * fastupdate on and off, pending list cleanup), GiST (splits, LP_DEAD cleanup, page deletion and reuse), SP-GiST
 * (all insertion and vacuum records) and BRIN (creation, summarisation, in-place and moved updates,
 * desummarisation), plus REINDEX of each kind.
 *
 * <p>Bulk heap changes whose only purpose is to feed the indexes (loads, mass deletes) run with the session's
 * {@code wal_consistency_checking} narrowed to the index resource managers: every index record still carries its
 * check images, the heap records just stop carrying 8 KB each. Object names carry a suffix so the workload can run
 * more than once on one primary.
 */
final class IndexWorkload {
    private static final String INDEX_RMGRS = "SET wal_consistency_checking = 'Btree,Hash,Gin,Gist,SPGist,BRIN'";
    private static final String ALL_RMGRS = "RESET wal_consistency_checking";
    private static final String INDEX_SCANS = "SET enable_seqscan = off; SET enable_bitmapscan = off";
    private static final String ANY_SCANS = "RESET enable_seqscan; RESET enable_bitmapscan";

    private final Connection conn;
    private final String s;

    private IndexWorkload(Connection conn, String suffix) {
        this.conn = conn;
        this.s = suffix;
    }

    /**
     * @param heavy also run the larger section ({@code -Dstrata.heavy=true}): random text keys that make SP-GiST
     *              inner tuples outgrow their page, and a posting tree grown by 12000 single inserts
     */
    static void run(TestPrimary pg, String suffix, boolean heavy) throws SQLException {
        try (Connection c = pg.connect()) {
            IndexWorkload w = new IndexWorkload(c, suffix);
            w.btree();
            w.btreePageDeletion();
            w.hash();
            w.gin();
            w.gist();
            w.spgist();
            w.brin();
            if (heavy) {
                w.heavy();
            }
        }
    }

    private void heavy() throws SQLException {
        String t = "hz_" + s;
        sql("CREATE TABLE " + t + " (id int, t text, tags int[]) WITH (autovacuum_enabled = off)",
                "CREATE INDEX " + t + "_t ON " + t + " USING spgist (t)",
                "CREATE INDEX " + t + "_g ON " + t + " USING gin (tags) WITH (fastupdate = off)",
                "INSERT INTO " + t + " SELECT g, md5(g::text) || repeat(chr(65 + g % 50), g % 7), ARRAY[1, g % 9]"
                        + " FROM generate_series(1, 12000) g",
                INDEX_RMGRS, "DELETE FROM " + t + " WHERE id % 5 <> 0", ALL_RMGRS,
                "VACUUM " + t,
                "INSERT INTO " + t + " SELECT g, md5(g::text), ARRAY[1] FROM generate_series(12001, 16000) g",
                "VACUUM " + t);
    }

    /** Splits both ways, new roots, deduplication, posting list splits, simple and bottom-up deletion. */
    private void btree() throws SQLException {
        String t = "bt_" + s;
        sql("CREATE TABLE " + t + " (id int, k int, pad text) WITH (autovacuum_enabled = off)",
                "CREATE INDEX " + t + "_id ON " + t + " (id)",
                "CREATE INDEX " + t + "_k ON " + t + " (k)",
                "INSERT INTO " + t + " SELECT g, g % 7, 'x' FROM generate_series(1, 4000) g",
                "INSERT INTO " + t + " SELECT g, g % 7, 'y' FROM generate_series(4000, 1, -1) g",
                // free heap space in the middle; new duplicates then land inside posting lists' TID ranges
                INDEX_RMGRS, "DELETE FROM " + t + " WHERE id % 10 = 3", ALL_RMGRS,
                "VACUUM " + t,
                "INSERT INTO " + t + " SELECT g, g % 7, 'z' FROM generate_series(1, 1000) g",
                // empty a key range: pages go half-dead and unlinked, then recycled and reused by new splits
                INDEX_RMGRS, "DELETE FROM " + t + " WHERE id BETWEEN 700 AND 2700", ALL_RMGRS,
                "VACUUM " + t,
                "SELECT txid_current()",
                "VACUUM " + t,
                "INSERT INTO " + t + " SELECT g, g % 7, 'w' FROM generate_series(1400, 2000) g",
                "REINDEX INDEX " + t + "_k");
        String u = "bu_" + s;
        sql("CREATE TABLE " + u + " (id int PRIMARY KEY, v int, w int) WITH (autovacuum_enabled = off,"
                        + " fillfactor = 50)",
                "CREATE INDEX " + u + "_v ON " + u + " (v)",
                INDEX_RMGRS, "INSERT INTO " + u + " SELECT g, g, g FROM generate_series(1, 3000) g", ALL_RMGRS,
                // non-HOT updates that leave the primary key unchanged: bottom-up deletion
                "UPDATE " + u + " SET v = v + 1 WHERE id <= 1000",
                "UPDATE " + u + " SET v = v + 1 WHERE id <= 1000",
                "UPDATE " + u + " SET v = v + 1 WHERE id <= 1000",
                // LP_DEAD bits set by an index scan, then removed by an insert into the full page
                INDEX_RMGRS, "DELETE FROM " + u + " WHERE id BETWEEN 2000 AND 2300", ALL_RMGRS,
                INDEX_SCANS, "SELECT count(*) FROM " + u + " WHERE id BETWEEN 1900 AND 2400", ANY_SCANS,
                "INSERT INTO " + u + " SELECT g, g, g FROM generate_series(2000, 2300) g",
                "VACUUM " + u);
    }

    /** A two-leaf tree loses its left leaf (the metapage's fast root moves), then grows again. */
    private void btreePageDeletion() throws SQLException {
        String t = "bm_" + s;
        sql("CREATE TABLE " + t + " (id int) WITH (autovacuum_enabled = off)",
                "CREATE INDEX " + t + "_id ON " + t + " (id)",
                "INSERT INTO " + t + " SELECT g FROM generate_series(1, 600) g",
                "DELETE FROM " + t + " WHERE id < 500",
                "VACUUM " + t,
                "INSERT INTO " + t + " SELECT g FROM generate_series(1000, 2000) g");
    }

    /** Bucket splits, overflow pages, squeeze, VACUUM, split cleanup and LP_DEAD removal at insert. */
    private void hash() throws SQLException {
        String t = "hs_" + s;
        sql("CREATE TABLE " + t + " (id int, k int) WITH (autovacuum_enabled = off)",
                "CREATE INDEX " + t + "_k ON " + t + " USING hash (k)",
                "INSERT INTO " + t + " SELECT g, g FROM generate_series(1, 2500) g",
                "INSERT INTO " + t + " SELECT 100000 + g, 7 FROM generate_series(1, 1500) g",
                INDEX_RMGRS, "DELETE FROM " + t + " WHERE k = 7 AND id % 3 <> 0",
                "DELETE FROM " + t + " WHERE id % 4 = 0 AND k <> 7", ALL_RMGRS,
                "VACUUM " + t,
                "INSERT INTO " + t + " SELECT g, g FROM generate_series(2501, 4000) g",
                "VACUUM " + t,
                "REINDEX INDEX " + t + "_k");
        String v = "hv_" + s;
        sql("CREATE TABLE " + v + " (id int, k int) WITH (autovacuum_enabled = off)",
                "CREATE INDEX " + v + "_k ON " + v + " USING hash (k)",
                "INSERT INTO " + v + " SELECT g, 7 FROM generate_series(1, 1000) g",
                INDEX_RMGRS, "DELETE FROM " + v + " WHERE k = 7", ALL_RMGRS,
                INDEX_SCANS, "SELECT count(*) FROM " + v + " WHERE k = 7", ANY_SCANS,
                "INSERT INTO " + v + " SELECT 2000 + g, 7 FROM generate_series(1, 500) g");
    }

    /** Entry and posting trees with fastupdate off; the pending list with fastupdate on. */
    private void gin() throws SQLException {
        String t = "gn_" + s;
        sql("CREATE TABLE " + t + " (id int, tags text[]) WITH (autovacuum_enabled = off)");
        StringBuilder rows = new StringBuilder();
        for (int i = 1; i <= 30000; i++) {
            rows.append(i).append("\t{common,k").append(i % 300).append("}\n");
        }
        sql(INDEX_RMGRS);
        copy(t, rows.toString());
        sql(ALL_RMGRS,
                // built in bulk: a posting tree of several leaves for 'common'
                "CREATE INDEX " + t + "_tags ON " + t + " USING gin (tags) WITH (fastupdate = off)",
                // built leaves are full: appending splits a posting tree leaf and inserts a downlink
                "INSERT INTO " + t + " SELECT g, ARRAY['common'] FROM generate_series(30001, 31000) g",
                INDEX_RMGRS, "DELETE FROM " + t + " WHERE id % 4 <> 0 OR id BETWEEN 5000 AND 25000", ALL_RMGRS,
                "VACUUM " + t,
                "INSERT INTO " + t + " SELECT g, ARRAY['common', 'k' || (g % 300), 'u' || g]"
                        + " FROM generate_series(31001, 32000) g",
                // an entry's posting list outgrows the entry tuple and becomes a posting tree
                "INSERT INTO " + t + " SELECT g, ARRAY['grow'] FROM generate_series(40001, 43000) g");
        String f = "gf_" + s;
        sql("CREATE TABLE " + f + " (id int, tags text[]) WITH (autovacuum_enabled = off)",
                "CREATE INDEX " + f + "_tags ON " + f + " USING gin (tags) WITH (fastupdate = on,"
                        + " gin_pending_list_limit = 256)",
                "INSERT INTO " + f + " SELECT g, ARRAY['a' || (g % 50), 'b' || (g % 13)]"
                        + " FROM generate_series(1, 300) g",
                "INSERT INTO " + f + " SELECT 1000 + g, (SELECT array_agg('wide' || i) FROM generate_series(1, 400) i)"
                        + " FROM generate_series(1, 3) g",
                "SELECT gin_clean_pending_list('" + f + "_tags')",
                "INSERT INTO " + f + " SELECT g, ARRAY['a' || (g % 50)] FROM generate_series(2000, 2300) g",
                "DELETE FROM " + f + " WHERE id % 2 = 0",
                "VACUUM " + f,
                "REINDEX INDEX " + f + "_tags");
    }

    /** Splits, LP_DEAD removal at insert, page deletion and reuse. */
    private void gist() throws SQLException {
        String t = "gs_" + s;
        sql("CREATE TABLE " + t + " (id int, p point) WITH (autovacuum_enabled = off)",
                "CREATE INDEX " + t + "_p ON " + t + " USING gist (p)",
                "INSERT INTO " + t + " SELECT g, point(g % 100, g / 100) FROM generate_series(1, 3000) g",
                INDEX_RMGRS, "DELETE FROM " + t + " WHERE id % 2 = 0 AND id <= 1500", ALL_RMGRS,
                INDEX_SCANS, "SELECT count(*) FROM " + t + " WHERE p <@ box(point(0, 0), point(100, 15))", ANY_SCANS,
                "INSERT INTO " + t + " SELECT 10000 + g, point(g % 100, (g / 100) % 15)"
                        + " FROM generate_series(1, 1000) g",
                INDEX_RMGRS, "DELETE FROM " + t + " WHERE p <@ box(point(0, 0), point(100, 22))", ALL_RMGRS,
                "VACUUM " + t,
                "SELECT txid_current()",
                "VACUUM " + t,
                "INSERT INTO " + t + " SELECT 20000 + g, point(g % 100, g % 22) FROM generate_series(1, 2000) g",
                "REINDEX INDEX " + t + "_p");
    }

    /** Text prefixes and points: every insertion record; then the vacuum records, including a leaf root. */
    private void spgist() throws SQLException {
        String t = "sp_" + s;
        sql("CREATE TABLE " + t + " (id int, t text, p point) WITH (autovacuum_enabled = off)",
                "CREATE INDEX " + t + "_t ON " + t + " USING spgist (t)",
                "CREATE INDEX " + t + "_p ON " + t + " USING spgist (p)",
                "INSERT INTO " + t + " SELECT g, 'prefix' || (g % 37) || 'mid' || g, point(g % 61, g % 89)"
                        + " FROM generate_series(1, 2500) g",
                "INSERT INTO " + t + " SELECT g, 'other' || g, point(g, g) FROM generate_series(2501, 3000) g",
                INDEX_RMGRS, "DELETE FROM " + t + " WHERE id % 3 = 0 OR id > 2700", ALL_RMGRS,
                "VACUUM " + t,
                "SELECT txid_current()",
                "VACUUM " + t,
                "REINDEX INDEX " + t + "_t");
        String r = "sr_" + s;
        sql("CREATE TABLE " + r + " (id int, t text) WITH (autovacuum_enabled = off)",
                "CREATE INDEX " + r + "_t ON " + r + " USING spgist (t)",
                "INSERT INTO " + r + " SELECT g, 'r' || g FROM generate_series(1, 50) g",
                "DELETE FROM " + r + " WHERE id % 2 = 0",
                "VACUUM " + r);
    }

    /** Creation and revmap extension, summarisation, in-place and moved updates, desummarisation. */
    private void brin() throws SQLException {
        String t = "br_" + s;
        sql("CREATE TABLE " + t + " (id int, t text) WITH (autovacuum_enabled = off, fillfactor = 10)",
                INDEX_RMGRS, "INSERT INTO " + t + " SELECT g, 'v' || g FROM generate_series(1, 6000) g", ALL_RMGRS,
                "CREATE INDEX " + t + "_id ON " + t + " USING brin (id) WITH (pages_per_range = 1)",
                "CREATE INDEX " + t + "_t ON " + t + " USING brin (t) WITH (pages_per_range = 2)",
                INDEX_RMGRS, "INSERT INTO " + t + " SELECT g, 'v' || g FROM generate_series(6001, 7000) g", ALL_RMGRS,
                "SELECT brin_summarize_new_values('" + t + "_id')",
                "SELECT brin_summarize_new_values('" + t + "_t')",
                "UPDATE " + t + " SET t = repeat('w', 300) || id WHERE id % 50 = 0",
                "UPDATE " + t + " SET id = -id WHERE id % 70 = 0",
                "SELECT brin_desummarize_range('" + t + "_id', 3)",
                "SELECT brin_desummarize_range('" + t + "_t', 4)",
                "SELECT brin_summarize_range('" + t + "_id', 3)",
                "REINDEX INDEX " + t + "_t");
    }

    private void sql(String... statements) throws SQLException {
        try (Statement st = conn.createStatement()) {
            for (String stmt : statements) {
                st.execute(stmt);
            }
        }
    }

    private void copy(String table, String rows) throws SQLException {
        try {
            conn.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + table + " FROM STDIN",
                    new StringReader(rows));
        } catch (java.io.IOException e) {
            throw new SQLException("COPY into " + table + " failed", e);
        }
    }
}

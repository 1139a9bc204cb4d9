package dev.strata.server.demo;

import dev.strata.server.StrataServer;
import dev.strata.storage.pg.Lsn;
import dev.strata.storage.pg.RelTag;
import dev.strata.storage.timeline.Timeline;
import dev.strata.storage.wal.WalPageHeader;
import dev.strata.wire.client.PageStreamClient;
import dev.strata.wire.client.PgWireClient;

import java.io.IOException;
import java.sql.SQLException;
import java.util.Arrays;

/**
 * Tour step: block 0 of pgbench_accounts fetched through the page service, its header printed beside the
 * primary's own copy of the same page (read with pageinspect).
 */
final class PageStep {
    /** The demo primary's WAL segment size: initdb's default. */
    private static final long WAL_SEGMENT_SIZE = 16L << 20;

    private final Narrator say;
    private final LocalPostgres primary;
    private final StrataServer strata;
    private final Timeline main;

    PageStep(Narrator say, LocalPostgres primary, StrataServer strata, Timeline main) {
        this.say = say;
        this.primary = primary;
        this.strata = strata;
        this.main = main;
    }

    void run() throws IOException, SQLException, InterruptedException {
        say.step("A page through the page service, as a compute node would read it");
        int db = Integer.parseInt(primary.query("SELECT oid FROM pg_database WHERE datname = 'postgres'"));
        int rel = Integer.parseInt(primary.query("SELECT pg_relation_filenode('pgbench_accounts')"));
        RelTag tag = new RelTag(1663, db, rel, RelTag.MAIN_FORKNUM);
        boolean inspect = installPageinspect();
        // The primary keeps writing after pgbench exits (a backend may finish a statement its client gave up on,
        // autovacuum may prune), so the page is read at an LSN taken after the primary's copy was read, and the
        // primary's copy is read again afterwards: only when both reads agree do the two sides show one state.
        String[] theirs = null;
        long lsn = 0;
        byte[] page = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            String[] before = inspect ? primaryHeader() : null;
            lsn = recordEnd(Lsn.parse(primary.query("SELECT pg_current_wal_insert_lsn()")));
            Tour.awaitIngested(main, lsn);
            page = fetch(tag, lsn);
            theirs = inspect ? primaryHeader() : null;
            if (!inspect || Arrays.equals(before, theirs)) {
                break;
            }
        }
        PageHeader h = PageHeader.parse(page);
        say.done("pagestream_v2 GetPage: pgbench_accounts block 0 (rel " + tag.relPath() + ", main fork) at "
                + Lsn.format(lsn));
        say.sayf("%-22s %-16s %s", "header field", "from Strata", theirs == null ? "" : "primary (pageinspect)");
        row("pd_lsn", Lsn.format(h.lsn()), theirs, 0);
        row("pd_lower", h.lower(), theirs, 1);
        row("pd_upper", h.upper(), theirs, 2);
        row("pd_special", h.special(), theirs, 3);
        row("page size", h.pageSize(), theirs, 4);
        row("layout version", h.layoutVersion(), theirs, 5);
        row("pd_prune_xid", h.pruneXid(), theirs, 6);
        if (theirs != null && !String.valueOf(h.pruneXid()).equals(theirs[6])) {
            say.say("(pd_prune_xid is a hint: pruning on the primary updates it without writing WAL, so a server "
                    + "that rebuilds pages from WAL, like a standby, keeps the last logged value)");
        }
        say.sayf("%-22s %-16s", "pd_flags", h.flagNames());
        say.sayf("%d line pointers, %d bytes free", h.linePointers(), h.freeSpace());
        if (theirs == null) {
            say.say("(the primary's own copy is not shown: pageinspect is missing; it comes with postgresql-contrib)");
        }
    }

    /**
     * The insert position as the end of the last record: at the start of a WAL page PostgreSQL reports the
     * position after the page header, where the next record will begin, while the last record ended before it.
     */
    static long recordEnd(long insertLsn) {
        if (insertLsn % WAL_SEGMENT_SIZE == WalPageHeader.SIZE_LONG) {
            return insertLsn - WalPageHeader.SIZE_LONG;
        }
        return insertLsn % WalPageHeader.XLOG_BLCKSZ == WalPageHeader.SIZE_SHORT ? insertLsn - WalPageHeader.SIZE_SHORT
                : insertLsn;
    }

    private byte[] fetch(RelTag tag, long lsn) throws IOException {
        try (PgWireClient conn = PgWireClient.connect("127.0.0.1", strata.pgPort())) {
            PageStreamClient stream = conn.pageStream(2, main.tenantId(), main.timelineId());
            stream.getPage(0, lsn, lsn, tag, 0);
            stream.flush();
            PageStreamClient.Response r = stream.read();
            if (r.isError()) {
                throw new IOException("the page service answered with an error: " + r.error());
            }
            stream.end();
            return r.data();
        }
    }

    /** Whether pageinspect could be installed on the primary; it comes with postgresql-contrib. */
    private boolean installPageinspect() {
        try {
            primary.execute("CREATE EXTENSION IF NOT EXISTS pageinspect");
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    /** The primary's header fields of the same page through pageinspect. */
    private String[] primaryHeader() throws SQLException {
        return primary.query("SELECT concat_ws(' ', lsn, lower, upper, special, pagesize, version, prune_xid) "
                + "FROM page_header(get_raw_page('pgbench_accounts', 0))").split(" ");
    }

    private void row(String field, Object ours, String[] theirs, int i) {
        if (theirs == null) {
            say.sayf("%-22s %s", field, ours);
            return;
        }
        String mark = String.valueOf(ours).equals(theirs[i]) ? "" : i == 6 ? "   (hint, see below)" : "   (differs)";
        say.sayf("%-22s %-16s %s%s", field, ours, theirs[i], mark);
    }
}

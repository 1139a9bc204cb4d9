package dev.strata.server.cli;

import dev.strata.storage.StorageException;
import dev.strata.storage.pg.Lsn;
import dev.strata.storage.redo.verify.Mismatch;
import dev.strata.storage.redo.verify.RedoVerifier;
import dev.strata.storage.redo.verify.VerifyReport;
import dev.strata.storage.wal.DecodedRecord;
import dev.strata.storage.wal.WalSegmentReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

import dev.strata.storage.wal.WalStreamDecoder;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * {@code strata redo-verify}: replays the WAL of a primary run with {@code wal_consistency_checking=all} through
 * Strata's redo and compares every checked block with the primary's after-image under PostgreSQL 15's masks.
 * Prints a table by resource manager and record type. Exit status: 0 when every checked block matched, 1 on any
 * mismatch or unsupported record (or unreadable WAL), 2 for a usage error.
 */
@Command(name = "redo-verify", mixinStandardHelpOptions = true,
        description = "Checks every record's redo against the after-images of a primary run with "
                + "wal_consistency_checking=all.")
public final class RedoVerifyCommand implements Callable<Integer> {
    @Option(names = {"-p", "--path"}, paramLabel = "PG_WAL_DIR",
            description = "Directory with WAL segment files (a pg_wal, or a data directory holding one).")
    Path path;

    @Option(names = "--primary", paramLabel = "CONNINFO",
            description = "Stream WAL from this primary by physical replication instead of reading files, e.g. "
                    + "'host=127.0.0.1 port=5432 user=postgres'. Starts at --start (default: the primary's "
                    + "current WAL position) and stops at --end or after --idle seconds without WAL.")
    String primary;

    @Option(names = "--slot", paramLabel = "NAME", description = "Physical replication slot to stream from.")
    String slot;

    @Option(names = "--idle", paramLabel = "SECONDS",
            description = "With --primary: stop after this many seconds without new WAL (default 10).")
    int idleSeconds = 10;

    @Option(names = {"-s", "--start"}, paramLabel = "LSN", converter = LsnConverter.class,
            description = "Start at the first record at or after this LSN (default: the oldest segment's start).")
    long start = Lsn.INVALID;

    @Option(names = {"-e", "--end"}, paramLabel = "LSN", converter = LsnConverter.class,
            description = "Stop before the first record that ends after this LSN (default: the end of the WAL).")
    long end = Lsn.INVALID;

    @Option(names = "--dump-dir", paramLabel = "DIR",
            description = "Write Strata's and the primary's page of each mismatch (first --keep) to DIR.")
    Path dumpDir;

    @Option(names = "--keep", paramLabel = "N", description = "Mismatches to report in detail (default 20).")
    int keep = 20;

    @Option(names = "--hint-bits-logged", description = "The primary runs with data checksums or "
            + "wal_log_hints (only changes the heap page LSN after VISIBLE, which masks hide).")
    boolean hintBitsLogged;

    /** Parses {@code X/Y} LSNs for picocli. */
    public static final class LsnConverter implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return Lsn.parse(value);
        }
    }

    @Override
    public Integer call() {
        if (start != Lsn.INVALID && end != Lsn.INVALID && Long.compareUnsigned(end, start) < 0) {
            System.err.println("strata redo-verify: --end " + Lsn.format(end) + " is before --start "
                    + Lsn.format(start));
            return 2;
        }
        if ((path == null) == (primary == null)) {
            System.err.println("strata redo-verify: give exactly one of --path and --primary");
            return 2;
        }
        RedoVerifier verifier = new RedoVerifier(hintBitsLogged, keep);
        String readError = null;
        if (path != null) {
            try (WalSegmentReader reader = WalSegmentReader.open(path, 0, start, end)) {
                for (DecodedRecord rec = reader.next(); rec != null; rec = reader.next()) {
                    verifier.accept(rec);
                }
            } catch (StorageException e) {
                readError = e.getMessage();
            }
        } else {
            try {
                new PrimaryStream(primary, slot, start, end, idleSeconds * 1000L).run(verifier::accept);
            } catch (SQLException | StorageException e) {
                readError = e.getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                readError = "interrupted";
            }
        }
        System.out.print(VerifyReport.table(verifier));
        for (Mismatch m : verifier.mismatches()) {
            System.out.println("MISMATCH " + m.describe());
        }
        for (String u : verifier.unsupportedSamples()) {
            System.out.println("UNSUPPORTED " + u);
        }
        if (dumpDir != null && !verifier.mismatches().isEmpty()) {
            try {
                VerifyReport.dump(verifier, dumpDir);
                System.out.println("pages of " + verifier.mismatches().size() + " mismatches written to " + dumpDir);
            } catch (IOException e) {
                System.err.println("strata redo-verify: cannot write pages to " + dumpDir + ": " + e.getMessage());
                return 1;
            }
        }
        if (readError != null) {
            System.err.println("strata redo-verify: " + readError);
            return 1;
        }
        return verifier.passed() ? 0 : 1;
    }

    /**
     * WAL from a primary over physical replication (pgjdbc), decoded as it arrives. The stream starts at the page
     * holding the start LSN (the decoder skips a record continued from before it) and ends at the end LSN or when
     * no WAL has arrived for the idle time.
     */
    static final class PrimaryStream {
        private final String conninfo;
        private final String slot;
        private final long start;
        private final long end;
        private final long idleMillis;

        PrimaryStream(String conninfo, String slot, long start, long end, long idleMillis) {
            this.conninfo = conninfo;
            this.slot = slot;
            this.start = start;
            this.end = end;
            this.idleMillis = idleMillis;
        }

        void run(Consumer<DecodedRecord> sink) throws SQLException, InterruptedException {
            Properties conn = parse(conninfo);
            String url = "jdbc:postgresql://" + conn.getProperty("host", "localhost") + ":"
                    + conn.getProperty("port", "5432") + "/" + conn.getProperty("dbname", "postgres");
            int segmentSize;
            long from = start;
            try (Connection c = DriverManager.getConnection(url, conn); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT setting::int, pg_current_wal_flush_lsn()::text "
                         + "FROM pg_settings WHERE name = 'wal_segment_size'")) {
                rs.next();
                segmentSize = rs.getInt(1);
                if (from == Lsn.INVALID) {
                    from = Lsn.parse(rs.getString(2));
                }
            }
            long pageStart = from - (from % 8192);
            Properties repl = (Properties) conn.clone();
            PGProperty.REPLICATION.set(repl, "true");
            PGProperty.ASSUME_MIN_SERVER_VERSION.set(repl, "15");
            PGProperty.PREFER_QUERY_MODE.set(repl, "simple");
            try (Connection rc = DriverManager.getConnection(url, repl)) {
                var builder = rc.unwrap(PGConnection.class).getReplicationAPI().replicationStream().physical()
                        .withStartPosition(LogSequenceNumber.valueOf(pageStart));
                if (slot != null) {
                    builder = builder.withSlotName(slot);
                }
                try (PGReplicationStream stream = builder.start()) {
                    pump(stream, new WalStreamDecoder(pageStart, segmentSize), from, sink);
                }
            }
        }

        private void pump(PGReplicationStream stream, WalStreamDecoder decoder, long from,
                          Consumer<DecodedRecord> sink) throws SQLException, InterruptedException {
            long lastData = System.currentTimeMillis();
            while (true) {
                ByteBuffer chunk = stream.readPending();
                if (chunk == null) {
                    if (System.currentTimeMillis() - lastData > idleMillis) {
                        return;
                    }
                    Thread.sleep(20);
                    continue;
                }
                lastData = System.currentTimeMillis();
                decoder.feed(chunk);
                for (DecodedRecord rec = decoder.next(); rec != null; rec = decoder.next()) {
                    if (end != Lsn.INVALID && Long.compareUnsigned(rec.endLsn(), end) > 0) {
                        return;
                    }
                    if (Long.compareUnsigned(rec.lsn(), from) >= 0) {
                        sink.accept(rec);
                    }
                }
                if (decoder.endOfWal()) {
                    throw new StorageException("WAL stream from the primary ended at "
                            + Lsn.format(decoder.endOfWalLsn()) + ": " + decoder.endOfWalReason());
                }
                LogSequenceNumber received = stream.getLastReceiveLSN();
                stream.setFlushedLSN(received);
                stream.setAppliedLSN(received);
            }
        }

        /** {@code key=value} pairs of a libpq conninfo string (values may be single-quoted). */
        static Properties parse(String conninfo) {
            Properties p = new Properties();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\w+)\\s*=\\s*('([^']*)'|\\S+)")
                    .matcher(conninfo);
            while (m.find()) {
                String key = m.group(1);
                String value = m.group(3) != null ? m.group(3) : m.group(2);
                p.setProperty(key, value);
            }
            if (p.isEmpty()) {
                throw new IllegalArgumentException("not a conninfo string: '" + conninfo + "'");
            }
            return p;
        }
    }
}

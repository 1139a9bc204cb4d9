package dev.strata.server.cli;

import dev.strata.storage.StorageException;
import dev.strata.storage.pg.Lsn;
import dev.strata.storage.wal.AsciiLine;
import dev.strata.storage.wal.DecodedRecord;
import dev.strata.storage.wal.WalDumpFormat;
import dev.strata.storage.wal.WalSegmentReader;
import dev.strata.storage.wal.WalStats;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code strata waldump}: decodes WAL segment files and prints one line per record in pg_waldump's format, or
 * pg_waldump-style statistics. Exit status: 0 when the WAL (or the range asked for) was read to its end, 1 when
 * the WAL is invalid or unreadable (the message names file, offset and LSN; records before the problem are
 * printed first, as pg_waldump does), 2 for a usage error.
 */
@Command(name = "waldump", mixinStandardHelpOptions = true,
        description = "Decodes WAL segment files like pg_waldump: one line per record, or --stats.")
public final class WaldumpCommand implements Callable<Integer> {
    @Option(names = {"-p", "--path"}, required = true, paramLabel = "DIR",
            description = "Directory with WAL segment files (a pg_wal, or a data directory holding one).")
    Path path;

    @Option(names = {"-s", "--start"}, paramLabel = "LSN", converter = LsnConverter.class,
            description = "Start at the first record at or after this LSN (default: the oldest segment's start).")
    long start = Lsn.INVALID;

    @Option(names = {"-e", "--end"}, paramLabel = "LSN", converter = LsnConverter.class,
            description = "Stop before the first record that ends after this LSN (default: the end of the WAL).")
    long end = Lsn.INVALID;

    @Option(names = {"-t", "--timeline"}, paramLabel = "TLI",
            description = "Timeline to read (default: the only one present, or the highest).")
    int timeline;

    @Option(names = {"-z", "--stats"}, arity = "0..1", fallbackValue = "all", paramLabel = "rmgr|record|all",
            description = "Print statistics instead of records: per resource manager (rmgr), per record type "
                    + "(record), or both (all, the default).")
    String stats;

    /** Parses {@code X/Y} LSNs for picocli. */
    public static final class LsnConverter implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return Lsn.parse(value);
        }
    }

    @Override
    public Integer call() {
        if (stats != null && !stats.equals("all") && !stats.equals("rmgr") && !stats.equals("record")) {
            System.err.println("strata waldump: --stats takes rmgr, record or all, not '" + stats + "'");
            return 2;
        }
        if (start != Lsn.INVALID && end != Lsn.INVALID && Long.compareUnsigned(end, start) < 0) {
            System.err.println("strata waldump: --end " + Lsn.format(end) + " is before --start " + Lsn.format(start));
            return 2;
        }
        PrintStream out = new PrintStream(new BufferedOutputStream(System.out, 1 << 16), false);
        try {
            return run(out);
        } finally {
            out.flush();
        }
    }

    private int run(PrintStream out) {
        WalStats st = stats != null ? new WalStats() : null;
        long count = 0;
        try (WalSegmentReader reader = WalSegmentReader.open(path, timeline, start, end)) {
            count = stats != null ? collect(reader, st) : dump(reader, out);
            if (st != null) {
                printStats(st, out);
            }
            out.flush();
            System.err.println("strata waldump: " + count + " records; " + reader.endReason());
            return 0;
        } catch (StorageException e) {
            if (st != null) {
                printStats(st, out);
            }
            out.flush();
            System.err.println("strata waldump: error: " + e.getMessage());
            return 1;
        } catch (IllegalArgumentException e) {
            out.flush();
            System.err.println("strata waldump: " + e.getMessage());
            return 2;
        }
    }

    /** Prints every record of the reader; returns how many. Lines are written to {@code out} in 64 KiB batches. */
    public static long dump(WalSegmentReader reader, OutputStream out) {
        AsciiLine lines = new AsciiLine();
        long n = 0;
        try {
            try {
                for (DecodedRecord r = reader.next(); r != null; r = reader.next()) {
                    WalDumpFormat.appendLine(r, lines);
                    lines.append('\n');
                    n++;
                    if (lines.length() >= 1 << 16) {
                        lines.writeTo(out);
                        lines.clear();
                    }
                }
            } finally {
                // the records before an error are printed, as pg_waldump does
                lines.writeTo(out);
                out.flush();
            }
        } catch (IOException e) {
            throw new StorageException("could not write the output: " + e.getMessage(), e);
        }
        return n;
    }

    private static long collect(WalSegmentReader reader, WalStats st) {
        for (DecodedRecord r = reader.next(); r != null; r = reader.next()) {
            st.add(r);
        }
        return st.records();
    }

    private void printStats(WalStats st, PrintStream out) {
        if (!stats.equals("record")) {
            st.print(out, false);
        }
        if (stats.equals("all")) {
            out.println();
        }
        if (!stats.equals("rmgr")) {
            st.print(out, true);
        }
    }
}

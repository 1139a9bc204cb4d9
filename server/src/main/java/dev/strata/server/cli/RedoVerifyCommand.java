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

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

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
    @Option(names = {"-p", "--path"}, required = true, paramLabel = "PG_WAL_DIR",
            description = "Directory with WAL segment files (a pg_wal, or a data directory holding one).")
    Path path;

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
        RedoVerifier verifier = new RedoVerifier(hintBitsLogged, keep);
        String readError = null;
        try (WalSegmentReader reader = WalSegmentReader.open(path, 0, start, end)) {
            for (DecodedRecord rec = reader.next(); rec != null; rec = reader.next()) {
                verifier.accept(rec);
            }
        } catch (StorageException e) {
            readError = e.getMessage();
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
}

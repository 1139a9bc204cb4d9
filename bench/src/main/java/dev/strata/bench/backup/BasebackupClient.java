package dev.strata.bench.backup;

import dev.strata.it.TestPrimary;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Stock {@code pg_basebackup} as the one client of both servers: the same binary, the same options and the same
 * target file system whether it reads the primary or Strata, so the difference between two timings is the
 * servers'. Plain format writes and (by default, as PostgreSQL's fsync_pgdata: sync_file_range on every file, then
 * fsync of each file and directory) syncs the directory in the client's own process.
 */
final class BasebackupClient {
    /** The options both servers are asked with: a fast checkpoint, no WAL streamed or fetched, default manifest. */
    static final List<String> OPTIONS = List.of("-c", "fast", "-X", "none");

    private final Path bindir;

    BasebackupClient(TestPrimary pg) {
        this.bindir = pg.bindir();
    }

    /**
     * {@code pg_basebackup -h 127.0.0.1 -p port -U postgres -c fast -X none -D dir}; returns its wall time in
     * seconds. {@code pgoptions} (may be null) selects Strata's tenant and timeline.
     */
    double toDirectory(int port, String pgoptions, Path dir) throws IOException {
        List<String> args = new ArrayList<>(OPTIONS);
        args.addAll(List.of("-D", dir.toString()));
        return run(port, pgoptions, args, false);
    }

    /**
     * The same backup as one tar on stdout, thrown away ({@code -F t -D -}): the server's stream and the client's
     * parsing, without writing or syncing a directory.
     */
    double toNull(int port, String pgoptions) throws IOException {
        List<String> args = new ArrayList<>(OPTIONS);
        args.addAll(List.of("-F", "t", "-D", "-"));
        return run(port, pgoptions, args, true);
    }

    private double run(int port, String pgoptions, List<String> options, boolean discardStdout) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(bindir.resolve("pg_basebackup").toString(), "-h", "127.0.0.1",
                "-p", Integer.toString(port), "-U", "postgres"));
        cmd.addAll(options);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        Map<String, String> env = pb.environment();
        env.remove("PGOPTIONS");
        if (pgoptions != null) {
            env.put("PGOPTIONS", pgoptions);
        }
        Path errors = Files.createTempFile("pg_basebackup-", ".err");
        pb.redirectError(errors.toFile());
        pb.redirectOutput(discardStdout ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.appendTo(
                errors.toFile()));
        try {
            long t0 = System.nanoTime();
            Process p = pb.start();
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException("timed out: " + String.join(" ", cmd));
            }
            double seconds = Measurements.seconds(t0);
            if (p.exitValue() != 0) {
                throw new IOException("pg_basebackup exited with " + p.exitValue() + " (" + String.join(" ", cmd)
                        + (pgoptions != null ? ", PGOPTIONS=" + pgoptions : "") + "):\n"
                        + Files.readString(errors, StandardCharsets.UTF_8));
            }
            return seconds;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", cmd), e);
        } finally {
            Files.deleteIfExists(errors);
        }
    }

    /** The bytes of every regular file under {@code dir}: how much each server's backup wrote. */
    static long bytesUnder(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).sum();
        }
    }
}

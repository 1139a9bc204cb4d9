package dev.strata.bench.backup;

import dev.strata.it.TestPrimary;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The tar -x consumer of {@link FullbackupBench}: GNU tar extracts Strata's fullbackup tar into a directory, then
 * {@code initdb --sync-only} syncs that directory with PostgreSQL's own fsync_pgdata, the routine pg_basebackup
 * calls after writing a plain-format backup (sync_file_range to start writeback of every file, then an fsync of
 * every file and directory). So this consumer and pg_basebackup give the same durability with the same code.
 *
 * <p>Both run as the postgres OS user when this process is root (initdb refuses root), and tar neither restores
 * owners nor permissions nor modification times ({@code --no-same-owner --no-same-permissions -m}), which
 * pg_basebackup does not do either.
 */
final class TarExtractClient {
    private final Path bindir;
    private final boolean asPostgres = "root".equals(System.getProperty("user.name"));

    TarExtractClient(TestPrimary pg) {
        this.bindir = pg.bindir();
    }

    /** Streams a tar into {@code tar -x -C dir} ({@code dir} must be writable by postgres); returns its length. */
    long extract(Path dir, Measurements.TarSource source) throws Exception {
        // 1 MiB records read whole (-b 2048 -B): with its default 10 KiB reads, GNU tar's own read loop took a
        // third of the extraction's time, a cost of the consumer and not of the backup it consumes
        Process tar = new ProcessBuilder(command("tar", "-x", "-b", "2048", "-B", "--no-same-owner",
                "--no-same-permissions", "-m", "-f", "-", "-C", dir.toString()))
                .redirectError(ProcessBuilder.Redirect.INHERIT).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        long n;
        try (OutputStream stdin = tar.getOutputStream()) {
            n = source.writeTo(stdin);
        }
        if (!tar.waitFor(10, TimeUnit.MINUTES) || tar.exitValue() != 0) {
            throw new IOException("tar -x of the fullbackup into " + dir + " failed");
        }
        return n;
    }

    /** {@code initdb --sync-only -D dir}: pg_basebackup's fsync_pgdata on the extracted directory. */
    void sync(Path dir) throws Exception {
        Process p = new ProcessBuilder(command(bindir.resolve("initdb").toString(), "--sync-only", "-D",
                dir.toString())).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IOException("initdb --sync-only -D " + dir + " failed (exit " + p.exitValue() + ")");
        }
    }

    private List<String> command(String... args) {
        List<String> cmd = new ArrayList<>();
        if (asPostgres) {
            cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        cmd.addAll(List.of(args));
        return cmd;
    }
}

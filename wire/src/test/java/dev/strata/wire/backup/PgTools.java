package dev.strata.wire.backup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the installed PostgreSQL 15 tools that need no server (pg_controldata, pg_waldump, pg_checksums). */
final class PgTools {
    record Result(int exit, String output) {
    }

    private static final Path BINDIR = Paths.get(System.getenv().getOrDefault("STRATA_PG_BINDIR",
            "/usr/lib/postgresql/15/bin"));

    private PgTools() {
    }

    static boolean available() {
        return Files.isExecutable(BINDIR.resolve("pg_waldump")) && Files.isExecutable(BINDIR.resolve("pg_controldata"));
    }

    static String hint() {
        return "PostgreSQL 15 tools not found in " + BINDIR + " (apt-get install -y postgresql-15, or set "
                + "STRATA_PG_BINDIR)";
    }

    static Result run(String tool, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(BINDIR.resolve(tool).toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + cmd);
        }
        return new Result(p.exitValue(), out);
    }
}

package dev.strata.server.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The local PostgreSQL 15 installation the demo drives: where its binaries are, and how to run them (as the
 * {@code postgres} OS user when we are root, because PostgreSQL refuses to run as root).
 */
public final class PgBinaries {
    /** What to tell a user who has no PostgreSQL 15. */
    public static final String INSTALL_HINT = "PostgreSQL 15 was not found. Install it (Debian/Ubuntu: "
            + "'apt-get install -y postgresql-15 postgresql-contrib'; other systems: the PostgreSQL 15 server "
            + "packages), or point STRATA_PG_BINDIR at the directory holding initdb, pg_ctl, postgres, psql and "
            + "pgbench.";

    private final Path bindir;
    private final boolean asPostgresUser;

    private PgBinaries(Path bindir) {
        this.bindir = bindir;
        this.asPostgresUser = "root".equals(System.getProperty("user.name"));
    }

    /**
     * Finds PostgreSQL 15: {@code $STRATA_PG_BINDIR}, then {@code pg_config --bindir}, then
     * {@code /usr/lib/postgresql/15/bin}.
     *
     * @throws IllegalStateException with {@link #INSTALL_HINT} and the places looked at
     */
    public static PgBinaries find() {
        List<Path> candidates = new ArrayList<>();
        String env = System.getenv("STRATA_PG_BINDIR");
        if (env != null && !env.isBlank()) {
            candidates.add(Paths.get(env));
        }
        try {
            Process p = new ProcessBuilder("pg_config", "--bindir").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.waitFor() == 0 && !out.isEmpty()) {
                candidates.add(Paths.get(out));
            }
        } catch (IOException e) {
            // no pg_config on PATH: try the Debian location below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        candidates.add(Paths.get("/usr/lib/postgresql/15/bin"));
        for (Path c : candidates) {
            if (Files.isExecutable(c.resolve("initdb")) && Files.isExecutable(c.resolve("pgbench"))
                    && Files.isExecutable(c.resolve("psql")) && version(c).contains(" 15.")) {
                return new PgBinaries(c);
            }
        }
        throw new IllegalStateException(INSTALL_HINT + " (looked in " + candidates + ")");
    }

    private static String version(Path bindir) {
        try {
            Process p = new ProcessBuilder(bindir.resolve("postgres").toString(), "--version")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.waitFor() == 0 ? out : "";
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    public Path bindir() {
        return bindir;
    }

    public String tool(String name) {
        return bindir.resolve(name).toString();
    }

    /** Gives a directory to the postgres user when we run as root (PostgreSQL's data must be its own). */
    public void chownToPostgres(Path path) throws IOException {
        if (asPostgresUser) {
            run(List.of("chown", "-R", "postgres:postgres", path.toString()), false, null);
        }
    }

    /** A process builder for a command, wrapped in runuser when it must run as postgres. */
    public ProcessBuilder builder(List<String> cmd, boolean asOwner) {
        List<String> full = new ArrayList<>();
        if (asOwner && asPostgresUser) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(cmd);
        return new ProcessBuilder(full);
    }

    /**
     * Runs a command to completion and returns its output (stdout and stderr together).
     *
     * @param stdout where stdout goes instead (e.g. a backup tar), or null to capture it
     * @throws IOException with the command and its output when it exits non-zero
     */
    public String run(List<String> cmd, boolean asOwner, Path stdout) throws IOException {
        ProcessBuilder pb = builder(cmd, asOwner);
        if (stdout != null) {
            pb.redirectOutput(stdout.toFile());
        } else {
            pb.redirectErrorStream(true);
        }
        Process p = pb.start();
        String out = new String((stdout != null ? p.getErrorStream() : p.getInputStream()).readAllBytes(),
                StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException("timed out: " + String.join(" ", cmd));
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", cmd), e);
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed (exit " + p.exitValue() + "):\n" + out.strip());
        }
        return out;
    }
}

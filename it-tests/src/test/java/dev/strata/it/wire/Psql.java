package dev.strata.it.wire;

import dev.strata.it.TestPrimary;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the stock psql (or another libpq tool) against the pg port and captures what it prints. */
final class Psql {
    /** Exit code and the combined output. */
    record Result(int exit, String out) {
    }

    private Psql() {
    }

    static Result run(int port, String user, Map<String, String> env, String... args) throws IOException {
        return tool("psql", port, user, env, args);
    }

    /** psql -X -v ON_ERROR_STOP=1 -c {@code command}; fails the test when psql fails. */
    static String ok(int port, String command) throws IOException {
        Result r = run(port, "strata", Map.of(), "-c", command);
        if (r.exit() != 0) {
            throw new AssertionError("psql -c '" + command + "' exited " + r.exit() + ":\n" + r.out());
        }
        return r.out();
    }

    static Result tool(String name, int port, String user, Map<String, String> env, String... args)
            throws IOException {
        Path bin = TestPrimary.findBindir();
        List<String> cmd = new ArrayList<>(List.of(bin.resolve(name).toString(), "-h", "127.0.0.1", "-p",
                Integer.toString(port), "-U", user));
        if (name.equals("psql")) {
            cmd.addAll(List.of("-X", "-v", "ON_ERROR_STOP=1", "-d", "postgres"));
        }
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out: " + cmd);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return new Result(p.exitValue(), out);
    }
}

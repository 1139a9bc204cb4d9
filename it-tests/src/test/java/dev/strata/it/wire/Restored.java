package dev.strata.it.wire;

import dev.strata.it.TestPrimary;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;

/** A stock postgres started on a restored data directory (as the postgres OS user), for dumps and checks. */
final class Restored implements AutoCloseable {
    private final TestPrimary tools;
    private final Path dir;
    final int port;

    private Restored(TestPrimary tools, Path dir, int port) {
        this.tools = tools;
        this.dir = dir;
        this.port = port;
    }

    static Restored start(TestPrimary tools, Path dir) throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        tools.run(List.of("chown", "-R", "postgres:postgres", dir.toString()), false);
        tools.run(List.of("chmod", "700", dir.toString()), false);
        String bin = tools.bindir().toString();
        Path log = dir.resolveSibling(dir.getFileName() + ".log");
        tools.run(List.of("touch", log.toString()), false);
        tools.run(List.of("chown", "postgres:postgres", log.toString()), false);
        tools.run(List.of(bin + "/pg_ctl", "-D", dir.toString(), "-l", log.toString(), "-o", "-p " + port
                + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=" + dir.getParent(), "-w", "-t", "120",
                "start"), true);
        return new Restored(tools, dir, port);
    }

    String dump(String db) throws IOException {
        return WireCluster.dump(tools, port, db);
    }

    /** pg_amcheck over every database with heapallindexed; returns its output (fails when it finds corruption). */
    String amcheck() throws IOException {
        return tools.tool("pg_amcheck", "-h", "127.0.0.1", "-p", Integer.toString(port), "-U", "postgres",
                "--install-missing", "--all", "--heapallindexed");
    }

    @Override
    public void close() throws IOException {
        tools.run(List.of(tools.bindir() + "/pg_ctl", "-D", dir.toString(), "-m", "fast", "-w", "stop"), true);
        TestPrimary.deleteTree(dir);
    }
}

package dev.strata.it.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code strata pageserver} as its own process (the test's class path, the real main class), so that tests can send
 * it signals. Its stdout and stderr are collected; the bound ports are read from its banner.
 */
final class PageserverProcess implements AutoCloseable {
    private static final Pattern HTTP = Pattern.compile("HTTP API\\s+http://[^:]+:(\\d+)/");
    private static final Pattern PG = Pattern.compile("pg port\\s+[^:]+:(\\d+)");

    private final Process process;
    private final Thread reader;
    private final StringBuffer output = new StringBuffer();
    private volatile int httpPort = -1;
    private volatile int pgPort = -1;

    private PageserverProcess(Process process) {
        this.process = process;
        this.reader = new Thread(this::read, "pageserver-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code strata pageserver ARGS}. */
    static PageserverProcess start(List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.strata.server.Main", "pageserver"));
        cmd.addAll(args);
        return new PageserverProcess(new ProcessBuilder(cmd).redirectErrorStream(true).start());
    }

    private void read() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                output.append(line).append('\n');
                Matcher h = HTTP.matcher(line);
                if (h.find()) {
                    httpPort = Integer.parseInt(h.group(1));
                }
                Matcher p = PG.matcher(line);
                if (p.find()) {
                    pgPort = Integer.parseInt(p.group(1));
                }
            }
        } catch (IOException e) {
            // the process ended
        }
    }

    /** Waits for the banner; fails with the output when the process exits first. */
    PageserverProcess awaitReady(long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (httpPort < 0) {
            if (!process.isAlive()) {
                throw new IllegalStateException("pageserver exited with " + process.exitValue() + ":\n" + output);
            }
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("pageserver did not print its banner:\n" + output);
            }
            Thread.sleep(50);
        }
        return this;
    }

    int httpPort() {
        return httpPort;
    }

    int pgPort() {
        return pgPort;
    }

    String output() {
        return output.toString();
    }

    /** Sends SIGTERM and waits for the exit; returns the exit status. */
    int terminate() throws InterruptedException {
        // Through the handle: Process.destroy() would also close our end of its output, losing what the
        // shutdown prints.
        process.toHandle().destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("pageserver did not stop within 60 s of SIGTERM:\n" + output);
        }
        reader.join(10_000);
        return process.exitValue();
    }

    /** Waits for the process to exit by itself; returns the exit status. */
    int awaitExit() throws InterruptedException {
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("pageserver did not exit:\n" + output);
        }
        reader.join(10_000);
        return process.exitValue();
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}

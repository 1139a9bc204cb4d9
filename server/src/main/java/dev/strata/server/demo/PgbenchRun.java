package dev.strata.server.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * pgbench running in the background against the primary, with its per-second progress ({@code -P 1}) parsed so
 * the demo can show the transaction rate beside Strata's ingest.
 */
final class PgbenchRun implements AutoCloseable {
    private static final Pattern PROGRESS = Pattern.compile("progress: ([0-9.]+) s, ([0-9.]+) tps");
    private static final Pattern TOTAL = Pattern.compile("number of transactions actually processed: (\\d+)");

    private final Process process;
    private final Thread reader;
    private final StringBuilder output = new StringBuilder();
    private volatile double tps;
    private volatile long transactions;

    private PgbenchRun(Process process) {
        this.process = process;
        this.reader = new Thread(this::read, "pgbench-output");
        this.reader.setDaemon(true);
        this.reader.start();
    }

    /** Starts {@code pgbench -c clients -j 2 -T seconds -P 1} against {@code port}. */
    static PgbenchRun start(PgBinaries pg, int port, int clients, int seconds) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(pg.tool("pgbench"), "-h", "127.0.0.1", "-p",
                Integer.toString(port), "-U", "postgres", "-c", Integer.toString(clients), "-j", "2", "-T",
                Integer.toString(seconds), "-P", "1", "postgres"));
        return new PgbenchRun(pg.builder(cmd, false).redirectErrorStream(true).start());
    }

    private void read() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                synchronized (output) {
                    output.append(line).append('\n');
                }
                Matcher m = PROGRESS.matcher(line);
                if (m.find()) {
                    tps = Double.parseDouble(m.group(2));
                }
                Matcher t = TOTAL.matcher(line);
                if (t.find()) {
                    transactions = Long.parseLong(t.group(1));
                }
            }
        } catch (IOException e) {
            // the process went away; exitValue tells the rest
        }
    }

    /** Transactions per second in the last progress report. */
    double tps() {
        return tps;
    }

    boolean running() {
        return process.isAlive();
    }

    /** Waits for pgbench to finish; returns the number of transactions; fails with its output when it failed. */
    long await() throws IOException, InterruptedException {
        if (!process.waitFor(10, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IOException("pgbench did not finish");
        }
        reader.join(5000);
        if (process.exitValue() != 0) {
            synchronized (output) {
                throw new IOException("pgbench failed (exit " + process.exitValue() + "):\n" + output);
            }
        }
        return transactions;
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
        }
    }
}

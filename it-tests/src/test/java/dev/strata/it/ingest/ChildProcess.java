package dev.strata.it.ingest;

import dev.strata.storage.pg.Lsn;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A running {@link IngestChild}: its readiness and the last status line it printed. */
final class ChildProcess {
    private final Process process;
    private volatile boolean ready;
    private volatile long lastRecordLsn;
    private volatile long durableLsn;
    private volatile String lastLine = "";

    private ChildProcess(Process process) {
        this.process = process;
        Thread reader = new Thread(this::readOutput, "ingest-child-output");
        reader.setDaemon(true);
        reader.start();
    }

    static ChildProcess start(String mode, Path dataDir, String conninfo, String slot, String tenant,
                              String timeline, Path log) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-cp", System.getProperty("java.class.path"), IngestChild.class.getName(), mode,
                dataDir.toString(), conninfo, slot, tenant, timeline));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        return new ChildProcess(pb.start());
    }

    private void readOutput() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                lastLine = line;
                if (line.equals("READY")) {
                    ready = true;
                } else if (line.startsWith("STATUS ")) {
                    String[] f = line.split(" ");
                    lastRecordLsn = Lsn.parse(f[1]);
                    durableLsn = Lsn.parse(f[2]);
                }
            }
        } catch (IOException e) {
            // the process died
        }
    }

    void awaitReady(long timeoutSeconds) throws TimeoutException, InterruptedException {
        awaitCondition(() -> ready, timeoutSeconds, "READY");
    }

    void awaitLastRecord(long lsn, long timeoutSeconds) throws TimeoutException, InterruptedException {
        awaitCondition(() -> lastRecordLsn >= lsn, timeoutSeconds, "last record LSN " + Lsn.format(lsn));
    }

    private void awaitCondition(java.util.function.BooleanSupplier cond, long timeoutSeconds, String what)
            throws TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (!cond.getAsBoolean()) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the ingest process exited with " + process.exitValue()
                        + " before " + what + "; last output: " + lastLine);
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("the ingest process did not reach " + what + " in " + timeoutSeconds
                        + " s; last output: " + lastLine);
            }
            Thread.sleep(50);
        }
    }

    long lastRecordLsn() {
        return lastRecordLsn;
    }

    /** SIGKILL, and wait until the process is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** SIGTERM (the shutdown hook flushes), and wait. */
    void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            kill();
        }
    }
}

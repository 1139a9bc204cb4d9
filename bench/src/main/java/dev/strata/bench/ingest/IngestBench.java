package dev.strata.bench.ingest;

import dev.strata.it.TestPrimary;
import dev.strata.replication.ReplicationService;
import dev.strata.storage.pg.Lsn;
import dev.strata.storage.redo.JavaPageRedo;
import dev.strata.storage.tenant.LocalTenantManager;
import dev.strata.storage.timeline.EngineConfig;
import dev.strata.storage.timeline.Timeline;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * WAL ingest throughput: Strata's ingest and a PostgreSQL 15 hot standby's replay of the same pgbench WAL, same
 * machine, same run, as a ratio.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.strata.bench.ingest.IngestBench [--scale 10] [--seconds 30]
 *      [--clients 4] [--out result.json]
 * </pre>
 *
 * <ol>
 *   <li>A scratch primary (the test primary's settings: fsync off, asynchronous commit). Strata imports it through
 *       a slot and stops; a standby is made with pg_basebackup on a second slot. A warm-up, so that neither is
 *       measured cold, consumed the way the measurement is: the primary writes {@code pgbench -i -s SCALE} twice
 *       (the second drops the first's tables, as the measured one does) and {@code pgbench -T} half as long, then
 *       Strata resumes and catches up with it (so that the JIT compiles the catch-up path for WAL of the same
 *       kinds of records as the measured WAL) and the standby replays it; then both stop. Both slots now hold the
 *       WAL that follows.</li>
 *   <li>The workload writes the WAL both will consume: {@code pgbench -i -s SCALE}, then
 *       {@code pgbench -c CLIENTS -T SECONDS}, then CHECKPOINT; the primary's flush LSN is the target.</li>
 *   <li>Strata resumes streaming (the layer engine on local disk, Java redo, layer files fsynced): the rate is the
 *       WAL from where it resumed to the target over the time to reach it.</li>
 *   <li>The standby starts and streams (PostgreSQL's own replay, recovery_prefetch at its default, fsync off): the
 *       rate is the WAL from the first replay position seen once it accepts connections to the target, over that
 *       time.</li>
 * </ol>
 * The two run one after the other so that they do not share the two cores. Each is also charged the CPU time it
 * used (this JVM's process CPU time; the standby's postmaster and children from /proc), which keeps the comparison
 * meaningful on a machine that other work shares. JSON written to {@code --out}: {@code ingest_mb_s},
 * {@code standby_mb_s}, {@code ingest_ratio_vs_standby} (wall clock; MB = 2^20 bytes), {@code ingest_mb_per_cpu_s},
 * {@code standby_mb_per_cpu_s}, {@code ingest_cpu_ratio_vs_standby}, plus the inputs, the WAL each consumed and
 * the load average when the measurement began.
 */
public final class IngestBench {
    private int scale = 10;
    private int seconds = 30;
    private int clients = 4;
    private Path out;

    public static void main(String[] args) throws Exception {
        IngestBench b = new IngestBench();
        b.parse(args);
        b.run();
    }

    private void parse(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            if (v == null) {
                throw new IllegalArgumentException(args[i] + " needs a value");
            }
            switch (args[i]) {
                case "--scale" -> scale = Integer.parseInt(v);
                case "--seconds" -> seconds = Integer.parseInt(v);
                case "--clients" -> clients = Integer.parseInt(v);
                case "--out" -> out = Path.of(v);
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (see the Javadoc of "
                        + IngestBench.class.getName() + ")");
            }
            i++;
        }
    }

    /** One consumer's measurement: the WAL it consumed, the wall time and the CPU time it took. */
    record Rate(long fromLsn, long toLsn, long nanos, long cpuNanos) {
        double mbPerSecond() {
            return (toLsn - fromLsn) / 1048576.0 / (nanos / 1e9);
        }

        double mbPerCpuSecond() {
            return (toLsn - fromLsn) / 1048576.0 / (cpuNanos / 1e9);
        }
    }

    private void run() throws Exception {
        Path strataDir = Files.createTempDirectory("strata-ingest-bench-");
        try (TestPrimary pg = TestPrimary.builder().setting("autovacuum", "off").start();
             LocalTenantManager tenants = new LocalTenantManager(strataDir, new EngineConfig(), new JavaPageRedo())) {
            Timeline tl;
            Standby standby = Standby.create(pg);
            try (ReplicationService rs = new ReplicationService(tenants)) {
                tl = rs.createFromPrimary(null, null, pg.conninfo(), "strata_bench");
            }
            warmUp(pg, tenants, tl);
            standby.catchUpAndStop(pg.currentFlushLsn());
            long walStart = pg.currentInsertLsn();
            System.out.printf(Locale.ROOT, "generating WAL: pgbench -i -s %d, pgbench -c %d -T %d%n", scale, clients,
                    seconds);
            pg.pgbench("-i", "-q", "-s", Integer.toString(scale));
            pg.pgbench("-c", Integer.toString(clients), "-j", "2", "-T", Integer.toString(seconds), "-n");
            pg.sql("CHECKPOINT");
            long target = pg.currentFlushLsn();
            System.out.printf(Locale.ROOT, "WAL from %s to %s: %.1f MB%n", Lsn.format(walStart), Lsn.format(target),
                    (target - walStart) / 1048576.0);
            double load = ProcessCpu.loadAverage();
            Rate strata = measureStrata(tenants, tl, target);
            Rate replay = standby.measureReplay(target);
            report(walStart, target, strata, replay, load);
        } finally {
            TestPrimary.deleteTree(strataDir);
        }
    }

    /**
     * WAL both consumers see before the measurement, so that neither is measured cold (Strata's JIT compilation,
     * the standby's caches): the same kinds of records as the measured WAL, consumed by catching up as there.
     */
    private void warmUp(TestPrimary pg, LocalTenantManager tenants, Timeline tl) throws Exception {
        System.out.printf(Locale.ROOT, "warm-up: pgbench -i -s %d twice, pgbench -T %d%n", scale,
                Math.max(5, seconds / 2));
        pg.pgbench("-i", "-q", "-s", Integer.toString(scale));
        pg.pgbench("-i", "-q", "-s", Integer.toString(scale));
        pg.pgbench("-c", Integer.toString(clients), "-j", "2", "-T", Integer.toString(Math.max(5, seconds / 2)),
                "-n");
        pg.sql("CHECKPOINT");
        long target = pg.currentFlushLsn();
        try (ReplicationService rs = new ReplicationService(tenants)) {
            rs.resumeAll();
            // polled, as the measurement polls: a waiter would make every record wake it, and the JIT would
            // compile that path and then have to recompile when the measurement has no waiter
            while (tl.lastRecordLsn() < target) {
                Thread.sleep(5);
            }
        }
    }

    private static Rate measureStrata(LocalTenantManager tenants, Timeline tl, long target) throws Exception {
        long from = tl.lastRecordLsn();
        try (ReplicationService rs = new ReplicationService(tenants)) {
            java.util.Map<String, Long> threads0 = ProcessCpu.threadNanos();
            long cpu0 = ProcessCpu.jvmNanos();
            long gc0 = ProcessCpu.gcMillis();
            long jit0 = ProcessCpu.jitMillis();
            long t0 = System.nanoTime();
            rs.resumeAll();
            // polled rather than waitForLsn: a waiter is woken by every record, which would charge the
            // measurement for the measuring
            while (tl.lastRecordLsn() < target) {
                Thread.sleep(5);
            }
            long nanos = System.nanoTime() - t0;
            ProcessCpu.printThreadDeltas(threads0, ProcessCpu.jvmNanos() - cpu0);
            System.out.printf(Locale.ROOT, "  of which garbage collection %d ms, JIT compilation %d ms (elapsed)%n",
                    ProcessCpu.gcMillis() - gc0, ProcessCpu.jitMillis() - jit0);
            Rate r = new Rate(from, target, nanos, ProcessCpu.jvmNanos() - cpu0);
            System.out.printf(Locale.ROOT, "Strata ingest: %s to %s in %.2f s = %.1f MB/s, %.2f CPU s%n",
                    Lsn.format(from), Lsn.format(target), nanos / 1e9, r.mbPerSecond(), r.cpuNanos() / 1e9);
            return r;
        }
    }

    private void report(long walStart, long target, Rate strata, Rate replay, double load) throws IOException {
        double ratio = strata.mbPerSecond() / replay.mbPerSecond();
        double cpuRatio = strata.mbPerCpuSecond() / replay.mbPerCpuSecond();
        String json = String.format(Locale.ROOT, "{%n  \"ingest_mb_s\": %.2f,%n  \"standby_mb_s\": %.2f,%n"
                        + "  \"ingest_ratio_vs_standby\": %.3f,%n  \"ingest_mb_per_cpu_s\": %.2f,%n"
                        + "  \"standby_mb_per_cpu_s\": %.2f,%n  \"ingest_cpu_ratio_vs_standby\": %.3f,%n"
                        + "  \"wal_bytes\": %d,%n  \"strata_wal_bytes\": %d,%n  \"standby_wal_bytes\": %d,%n"
                        + "  \"strata_seconds\": %.3f,%n  \"standby_seconds\": %.3f,%n  \"strata_cpu_seconds\": %.3f,%n"
                        + "  \"standby_cpu_seconds\": %.3f,%n  \"load_average\": %.2f,%n  \"scale\": %d,%n"
                        + "  \"seconds\": %d,%n  \"clients\": %d%n}%n",
                strata.mbPerSecond(), replay.mbPerSecond(), ratio, strata.mbPerCpuSecond(), replay.mbPerCpuSecond(),
                cpuRatio, target - walStart, strata.toLsn() - strata.fromLsn(), replay.toLsn() - replay.fromLsn(),
                strata.nanos() / 1e9, replay.nanos() / 1e9, strata.cpuNanos() / 1e9, replay.cpuNanos() / 1e9, load,
                scale, seconds, clients);
        System.out.print(json);
        if (out != null) {
            Files.writeString(out, json, StandardCharsets.UTF_8);
        }
    }
}

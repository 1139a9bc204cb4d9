package dev.strata.bench.ingest;

import dev.strata.bench.report.ProcessCpu;
import dev.strata.bench.report.DurableFile;
import dev.strata.it.TestPrimary;
import dev.strata.replication.ReplicationService;
import dev.strata.storage.pg.Lsn;
import dev.strata.storage.redo.JavaPageRedo;
import dev.strata.storage.tenant.LocalTenantManager;
import dev.strata.storage.timeline.EngineConfig;
import dev.strata.storage.timeline.Timeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * WAL ingest throughput: Strata's ingest and a PostgreSQL 15 hot standby's replay of the same pgbench WAL, same
 * machine, same run, as a ratio, measured in steady state and repeated so that the noise can be stated.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.strata.bench.ingest.IngestBench [--scale 10] [--seconds 30]
 *      [--rounds 3] [--reps 5] [--clients 4] [--out result.json]
 * </pre>
 *
 * <ol>
 *   <li>A scratch primary (the test primary's settings: fsync off, asynchronous commit, autovacuum off). REPS
 *       Strata timelines are imported from it, each through its own slot and into its own tenant directory (so
 *       that each is resumed alone), and REPS standbys are made with pg_basebackup, each on its own slot and port.
 *       All stop; the slots hold the WAL that follows. The standbys run with fsync on (see {@link Standby}), as
 *       Strata does.</li>
 *   <li>Warm-up, so that neither side is measured cold (Strata's JIT compilation, the standbys' caches): the
 *       primary writes {@code pgbench -i -s SCALE} twice and {@code pgbench -T max(5, SECONDS/3)}; every timeline and
 *       every standby then catches up with it, one at a time, and stops; all of that twice. That is 2 x REPS
 *       catch-ups of the same kinds of records as the measured WAL before anything is measured: with fewer, the
 *       JIT was still compiling the per-batch methods (tier 3 to tier 4) during the measured window.</li>
 *   <li>The measured workload: ROUNDS times {@code pgbench -i -s SCALE} (each drops and rewrites the tables), then
 *       {@code pgbench -c CLIENTS -T SECONDS}, then CHECKPOINT; the primary's flush LSN is the target. At the
 *       default (scale 10, 3 rounds, 30 s) that is about 400 MB of WAL, long enough for one-time work (JIT, class
 *       loading) not to dominate the window; the whole benchmark then takes about 4 minutes on 2 cores (--quick of
 *       bench/run, scale 2 and 10 s: about 100 MB).</li>
 *   <li>Consumption in alternation, each alone on the machine: timeline 1, standby 1, timeline 2, standby 2, ...
 *       A timeline's tenant manager is opened before its clock starts; the rate is the WAL from where it resumes to
 *       the target over the time from resuming to reaching it (polled); the manager is closed (flushing its open
 *       layers) before the next consumer starts. A standby starts; its rate is the WAL from the first replay
 *       position seen once it accepts connections to the target, over that time (polled); it stops before the
 *       next consumer starts. Neither side is charged for the work that follows reaching the target.</li>
 * </ol>
 * Each side is also charged the CPU time it used (this JVM's process CPU time; the standby's postmaster and
 * children from /proc), which keeps the comparison meaningful on a machine that other work shares.
 *
 * <p>JSON written to {@code --out} (MB = 2^20 bytes). Medians over the repetitions: {@code ingest_mb_s},
 * {@code standby_mb_s}, {@code ingest_ratio_vs_standby} (the median of the per-repetition wall-clock ratios),
 * {@code ingest_mb_per_cpu_s}, {@code standby_mb_per_cpu_s}, {@code ingest_cpu_ratio_vs_standby} (median of the
 * per-repetition CPU ratios), {@code strata_seconds}, {@code standby_seconds}, {@code strata_cpu_seconds},
 * {@code standby_cpu_seconds}. Per repetition, as arrays in repetition order (the noise is their spread):
 * {@code ingest_mb_s_by_rep}, {@code standby_mb_s_by_rep}, {@code ingest_ratio_by_rep},
 * {@code ingest_mb_per_cpu_s_by_rep}, {@code standby_mb_per_cpu_s_by_rep}, {@code ingest_cpu_ratio_by_rep},
 * {@code strata_seconds_by_rep}, {@code standby_seconds_by_rep}, {@code strata_cpu_seconds_by_rep},
 * {@code standby_cpu_seconds_by_rep}, {@code load_average_by_rep} (1-minute load when each pair began). Plus the
 * inputs ({@code scale}, {@code seconds}, {@code clients}, {@code rounds}, {@code reps}), the WAL written
 * ({@code wal_bytes}) and consumed in the first repetition ({@code strata_wal_bytes}, {@code standby_wal_bytes}),
 * and {@code load_average} when the measurements began.
 */
public final class IngestBench {
    private static final int WARM_UP_PASSES = 2;
    private int scale = 10;
    private int seconds = 30;
    private int clients = 4;
    private int rounds = 3;
    private int reps = 5;
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
                case "--rounds" -> rounds = Integer.parseInt(v);
                case "--reps" -> reps = Integer.parseInt(v);
                case "--out" -> out = Path.of(v);
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (see the Javadoc of "
                        + IngestBench.class.getName() + ")");
            }
            i++;
        }
        if (reps < 1 || rounds < 1) {
            throw new IllegalArgumentException("--reps and --rounds take a whole number >= 1");
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

    /** One repetition: Strata's rate, then the standby's, and the load when the pair began. */
    record Pair(Rate strata, Rate standby, double load) {
        double ratio() {
            return strata.mbPerSecond() / standby.mbPerSecond();
        }

        double cpuRatio() {
            return strata.mbPerCpuSecond() / standby.mbPerCpuSecond();
        }
    }

    private void run() throws Exception {
        Path strataDir = Files.createTempDirectory("strata-ingest-bench-");
        try (TestPrimary pg = TestPrimary.builder().setting("autovacuum", "off").start()) {
            List<Path> tenantDirs = new ArrayList<>();
            List<Standby> standbys = new ArrayList<>();
            for (int r = 0; r < reps; r++) {
                Path dir = strataDir.resolve("rep-" + r);
                try (LocalTenantManager tenants = open(dir); ReplicationService rs = new ReplicationService(tenants)) {
                    rs.createFromPrimary(null, null, pg.conninfo(), "strata_bench_" + r);
                }
                tenantDirs.add(dir);
                standbys.add(Standby.create(pg, "standby_bench_" + r));
            }
            for (int w = 0; w < WARM_UP_PASSES; w++) {
                warmUp(pg, tenantDirs, standbys);
            }
            long walStart = pg.currentInsertLsn();
            System.out.printf(Locale.ROOT, "generating WAL: %d x pgbench -i -s %d, pgbench -c %d -T %d%n", rounds,
                    scale, clients, seconds);
            for (int i = 0; i < rounds; i++) {
                pg.pgbench("-i", "-q", "-s", Integer.toString(scale));
            }
            pg.pgbench("-c", Integer.toString(clients), "-j", "2", "-T", Integer.toString(seconds), "-n");
            pg.sql("CHECKPOINT");
            long target = pg.currentFlushLsn();
            System.out.printf(Locale.ROOT, "WAL from %s to %s: %.1f MB%n", Lsn.format(walStart), Lsn.format(target),
                    (target - walStart) / 1048576.0);
            double load = ProcessCpu.loadAverage();
            List<Pair> pairs = new ArrayList<>();
            for (int r = 0; r < reps; r++) {
                double repLoad = ProcessCpu.loadAverage();
                System.out.printf(Locale.ROOT, "repetition %d of %d (load %.2f)%n", r + 1, reps, repLoad);
                Rate strata = measureStrata(tenantDirs.get(r), target);
                Rate replay = standbys.get(r).measureReplay(target);
                pairs.add(new Pair(strata, replay, repLoad));
            }
            report(walStart, target, pairs, load);
        } finally {
            TestPrimary.deleteTree(strataDir);
        }
    }

    private static LocalTenantManager open(Path dir) {
        return new LocalTenantManager(dir, new EngineConfig(), new JavaPageRedo());
    }

    /**
     * WAL every consumer sees before the measurement, so that neither side is measured cold: the same kinds of
     * records as the measured WAL, consumed by catching up as there.
     */
    private void warmUp(TestPrimary pg, List<Path> tenantDirs, List<Standby> standbys) throws Exception {
        int warmSeconds = Math.max(5, seconds / 3);
        System.out.printf(Locale.ROOT, "warm-up: pgbench -i -s %d twice, pgbench -T %d%n", scale, warmSeconds);
        pg.pgbench("-i", "-q", "-s", Integer.toString(scale));
        pg.pgbench("-i", "-q", "-s", Integer.toString(scale));
        pg.pgbench("-c", Integer.toString(clients), "-j", "2", "-T", Integer.toString(warmSeconds), "-n");
        pg.sql("CHECKPOINT");
        long target = pg.currentFlushLsn();
        for (int r = 0; r < tenantDirs.size(); r++) {
            try (LocalTenantManager tenants = open(tenantDirs.get(r));
                 ReplicationService rs = new ReplicationService(tenants)) {
                Timeline tl = only(tenants);
                rs.resumeAll();
                // polled, as the measurement polls: a waiter would make every record wake it, and the JIT would
                // compile that path and then have to recompile when the measurement has no waiter
                pollUntil(tl, target);
            }
            standbys.get(r).catchUpAndStop(target);
        }
    }

    /**
     * Waits until the timeline has ingested up to {@code target}, polling rather than waitForLsn: a waiter is woken
     * by every record, which would charge the measurement for the measuring.
     */
    private static void pollUntil(Timeline tl, long target) throws InterruptedException {
        while (tl.lastRecordLsn() < target) {
            Thread.sleep(5);
        }
    }

    private static Timeline only(LocalTenantManager tenants) {
        return tenants.tenants().get(0).timelines().get(0);
    }

    private static Rate measureStrata(Path tenantDir, long target) throws Exception {
        try (LocalTenantManager tenants = open(tenantDir)) {
            Timeline tl = only(tenants);
            long from = tl.lastRecordLsn();
            try (ReplicationService rs = new ReplicationService(tenants)) {
                java.util.Map<String, Long> threads0 = ProcessCpu.threadNanos();
                long cpu0 = ProcessCpu.jvmNanos();
                long gc0 = ProcessCpu.gcMillis();
                long jit0 = ProcessCpu.jitMillis();
                long t0 = System.nanoTime();
                rs.resumeAll();
                pollUntil(tl, target);
                long nanos = System.nanoTime() - t0;
                ProcessCpu.printThreadDeltas(threads0, ProcessCpu.jvmNanos() - cpu0);
                System.out.printf(Locale.ROOT, "  of which garbage collection %d ms, JIT compilation %d ms "
                        + "(elapsed)%n", ProcessCpu.gcMillis() - gc0, ProcessCpu.jitMillis() - jit0);
                Rate r = new Rate(from, target, nanos, ProcessCpu.jvmNanos() - cpu0);
                System.out.printf(Locale.ROOT, "Strata ingest: %s to %s in %.2f s = %.1f MB/s, %.2f CPU s%n",
                        Lsn.format(from), Lsn.format(target), nanos / 1e9, r.mbPerSecond(), r.cpuNanos() / 1e9);
                return r;
            }
        }
    }

    private static double median(List<Pair> pairs, ToDoubleFunction<Pair> f) {
        double[] v = pairs.stream().mapToDouble(f).sorted().toArray();
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    private static String array(List<Pair> pairs, ToDoubleFunction<Pair> f, String format) {
        return Arrays.stream(pairs.stream().mapToDouble(f).toArray())
                .mapToObj(d -> String.format(Locale.ROOT, format, d))
                .reduce((a, b) -> a + ", " + b).map(s -> "[" + s + "]").orElse("[]");
    }

    private void report(long walStart, long target, List<Pair> pairs, double load) throws IOException {
        List<ToDoubleFunction<Pair>> fs = List.of(p -> p.strata().mbPerSecond(), p -> p.standby().mbPerSecond(),
                Pair::ratio, p -> p.strata().mbPerCpuSecond(), p -> p.standby().mbPerCpuSecond(), Pair::cpuRatio,
                p -> p.strata().nanos() / 1e9, p -> p.standby().nanos() / 1e9, p -> p.strata().cpuNanos() / 1e9,
                p -> p.standby().cpuNanos() / 1e9);
        List<String> names = List.of("ingest_mb_s", "standby_mb_s", "ingest_ratio_vs_standby", "ingest_mb_per_cpu_s",
                "standby_mb_per_cpu_s", "ingest_cpu_ratio_vs_standby", "strata_seconds", "standby_seconds",
                "strata_cpu_seconds", "standby_cpu_seconds");
        StringBuilder json = new StringBuilder("{\n");
        for (int i = 0; i < fs.size(); i++) {
            String fmt = names.get(i).contains("ratio") ? "%.3f" : "%.2f";
            json.append(String.format(Locale.ROOT, "  \"%s\": " + fmt + ",%n", names.get(i), median(pairs, fs.get(i))));
        }
        for (int i = 0; i < fs.size(); i++) {
            // each median's repetitions: "ingest_ratio_vs_standby" -> "ingest_ratio_by_rep"
            String name = names.get(i).replace("_vs_standby", "") + "_by_rep";
            String fmt = name.contains("ratio") ? "%.3f" : "%.2f";
            json.append(String.format(Locale.ROOT, "  \"%s\": %s,%n", name, array(pairs, fs.get(i), fmt)));
        }
        Pair first = pairs.get(0);
        json.append(String.format(Locale.ROOT, "  \"load_average_by_rep\": %s,%n  \"wal_bytes\": %d,%n"
                        + "  \"strata_wal_bytes\": %d,%n  \"standby_wal_bytes\": %d,%n  \"load_average\": %.2f,%n"
                        + "  \"scale\": %d,%n  \"seconds\": %d,%n  \"clients\": %d,%n  \"rounds\": %d,%n"
                        + "  \"reps\": %d%n}%n",
                array(pairs, Pair::load, "%.2f"), target - walStart,
                first.strata().toLsn() - first.strata().fromLsn(), first.standby().toLsn() - first.standby().fromLsn(),
                load, scale, seconds, clients, rounds, reps));
        System.out.print(json);
        if (out != null) {
            DurableFile.write(out, json.toString());
        }
    }
}

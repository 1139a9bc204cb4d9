package dev.strata.bench.wire;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.strata.bench.report.DurableFile;
import dev.strata.storage.pgdata.Datadir;
import dev.strata.wire.PgServer;
import dev.strata.wire.PgServerConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.HdrHistogram.Histogram;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * GetPage over the pg port against an 8 KB loopback echo server, measured in the same run by the same client:
 *
 * <ul>
 *   <li>latency at depth 1 (one request in flight on one connection): p50, p99, p99.9 with HdrHistogram; echo and
 *       Strata alternate in rounds so that drift of the machine hits both alike;</li>
 *   <li>throughput at depth 1, with 8 connections at depth 1, and on one connection at depth 32 (the depth-1 and
 *       depth-32 throughputs are medians over the rounds, which alternate between echo and Strata too).</li>
 * </ul>
 *
 * The pg port serves pages from memory ({@link BenchStorage}), so the figures are the wire path's; with
 * {@code --storage engine} it reads them from a real layer engine instead ({@link EngineStorage}). Output (JSON,
 * to {@code --out}): {@code getpage_p50_ratio_vs_echo}, {@code getpage_p99_ratio_vs_echo},
 * {@code getpage_p999_ratio_vs_echo} (goal p50 ≤ 1.3), {@code getpage_depth32_speedup} (depth-32 over depth-1
 * throughput, goal ≥ 4), {@code getpage_8conn_speedup}, the raw latencies and throughputs, and the spread of the
 * p50 ratio between rounds.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.strata.bench.wire.GetPageBench --out getpage.json [--seconds 10]
 *      [--warmup 3] [--rounds 5] [--depth 32] [--connections 8] [--pages 4096]
 * </pre>
 */
public final class GetPageBench {
    private final int pages;
    private final int depth;
    private final int connections;
    private final long roundNanos;
    private final long warmupNanos;
    private final int rounds;
    private final boolean engine;

    private GetPageBench(Map<String, String> a) {
        engine = a.getOrDefault("storage", "memory").equals("engine");
        pages = Integer.parseInt(a.getOrDefault("pages", "4096"));
        depth = Integer.parseInt(a.getOrDefault("depth", "32"));
        connections = Integer.parseInt(a.getOrDefault("connections", "8"));
        rounds = Integer.parseInt(a.getOrDefault("rounds", "5"));
        roundNanos = (long) (Double.parseDouble(a.getOrDefault("seconds", "10")) * 1e9 / rounds);
        warmupNanos = (long) (Double.parseDouble(a.getOrDefault("warmup", "3")) * 1e9);
    }

    /** A way to open a client connection: to the pg port (page stream) or to the echo server. */
    private interface Target {
        FrameConnection open() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        if (!a.containsKey("out")) {
            System.err.println("usage: GetPageBench --out FILE [--seconds S] [--warmup S] [--rounds N] [--depth D] "
                    + "[--connections C] [--pages P]");
            System.exit(2);
        }
        Map<String, Object> result = new GetPageBench(a).run();
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        DurableFile.write(Path.of(a.get("out")), json.writeValueAsString(result));
        System.out.println(json.writeValueAsString(result));
    }

    private Map<String, Object> run() throws Exception {
        BenchStorage storage = new BenchStorage(pages, 42);
        EngineStorage engineStorage = engine ? new EngineStorage(storage) : null;
        PgServer.Builder builder = engine
                ? PgServer.builder().tenants(engineStorage.tenants).datadirViews(Datadir::new)
                : PgServer.builder().tenants(storage).datadirViews(tl -> storage);
        try (PgServer server = builder.meterRegistry(new SimpleMeterRegistry())
                .config(PgServerConfig.defaults().withListen("127.0.0.1", 0).withPipeline(32, 1024,
                        !"false".equals(System.getProperty("strata.bench.inline")))).build().start();
             EchoServer echo = new EchoServer(0); AutoCloseable cleanup = engineStorage) {
            Target strata = () -> FrameConnection.pageStream(server.port(), BenchStorage.TENANT,
                    BenchStorage.TIMELINE);
            Target baseline = () -> FrameConnection.echo(echo.port());
            verify(storage, server.port());
            String only = System.getProperty("strata.bench.only");
            if (only != null) {
                // one phase alone, for profiling: -Dstrata.bench.only=strata|echo
                Target t = only.equals("echo") ? baseline : strata;
                pipelined(t, depth, warmupNanos);
                System.out.println(only + " depth " + depth + ": " + Math.round(pipelined(t, depth, roundNanos * rounds))
                        + " per s");
                return Map.of();
            }
            latency(baseline, warmupNanos, null);
            latency(strata, warmupNanos, null);
            Histogram sHist = histogram();
            Histogram eHist = histogram();
            List<Double> roundRatios = new ArrayList<>();
            List<Double> sOps = new ArrayList<>();
            List<Double> eOps = new ArrayList<>();
            List<Double> sDeep = new ArrayList<>();
            List<Double> eDeep = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                Histogram eRound = histogram();
                Histogram sRound = histogram();
                eOps.add(latency(baseline, roundNanos, eRound));
                sOps.add(latency(strata, roundNanos, sRound));
                eHist.add(eRound);
                sHist.add(sRound);
                roundRatios.add((double) sRound.getValueAtPercentile(50) / eRound.getValueAtPercentile(50));
                // throughput rounds alternate too; medians keep one stalled round (loopback retransmits on a
                // loaded machine) from deciding the figure
                eDeep.add(pipelined(baseline, depth, roundNanos));
                sDeep.add(pipelined(strata, depth, roundNanos));
            }
            double s8 = parallel(strata, connections, roundNanos);
            return report(sHist, eHist, roundRatios, median(sOps), median(eOps), s8, median(sDeep),
                    median(eDeep), sDeep);
        }
    }

    private Map<String, Object> report(Histogram s, Histogram e, List<Double> ratios, double sOps, double eOps,
                                       double s8, double sDeep, double eDeep, List<Double> sDeepRounds) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("getpage_p50_ratio_vs_echo", ratio(s, e, 50));
        m.put("getpage_p99_ratio_vs_echo", ratio(s, e, 99));
        m.put("getpage_p999_ratio_vs_echo", ratio(s, e, 99.9));
        m.put("getpage_depth32_speedup", round(sDeep / sOps));
        m.put("getpage_8conn_speedup", round(s8 / sOps));
        m.put("echo_depth32_speedup", round(eDeep / eOps));
        m.put("getpage_p50_us", us(s, 50));
        m.put("getpage_p99_us", us(s, 99));
        m.put("getpage_p999_us", us(s, 99.9));
        m.put("echo_p50_us", us(e, 50));
        m.put("echo_p99_us", us(e, 99));
        m.put("echo_p999_us", us(e, 99.9));
        m.put("getpage_depth1_per_s", Math.round(sOps));
        m.put("getpage_8conn_per_s", Math.round(s8));
        m.put("getpage_depth32_per_s", Math.round(sDeep));
        m.put("echo_depth1_per_s", Math.round(eOps));
        m.put("echo_depth32_per_s", Math.round(eDeep));
        double min = ratios.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
        double max = ratios.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        m.put("p50_ratio_by_round", ratios.stream().map(GetPageBench::round).toList());
        m.put("getpage_depth32_per_s_by_round", sDeepRounds.stream().map(Math::round).toList());
        m.put("noise_p50_ratio", round((max - min) / 2));
        m.put("samples_depth1", s.getTotalCount());
        m.put("depth", depth);
        m.put("connections", connections);
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("storage", engine ? "engine" : "memory");
        return m;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static Histogram histogram() {
        return new Histogram(1, 60_000_000_000L, 3);
    }

    private static double ratio(Histogram s, Histogram e, double p) {
        return round((double) s.getValueAtPercentile(p) / e.getValueAtPercentile(p));
    }

    private static double us(Histogram h, double p) {
        return round(h.getValueAtPercentile(p) / 1000.0);
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    /** Checks that the pg port returns the right bytes before timing it. */
    private void verify(BenchStorage storage, int port) throws Exception {
        try (FrameConnection c = FrameConnection.pageStream(port, BenchStorage.TENANT, BenchStorage.TIMELINE)) {
            for (int i = 0; i < Math.min(pages, 64); i++) {
                c.send(FrameConnection.getPage(i, i));
                c.flush();
                if (c.read() != EchoServer.RESPONSE_BODY || c.lastReqId() != i) {
                    throw new IllegalStateException("GetPage " + i + " returned a wrong response");
                }
            }
        }
    }

    /** One connection, one request in flight; records each round trip; returns requests per second. */
    private double latency(Target target, long nanos, Histogram hist) throws Exception {
        try (FrameConnection c = target.open()) {
            long start = System.nanoTime();
            long end = start + nanos;
            long n = 0;
            long now = start;
            while (now < end) {
                byte[] req = FrameConnection.getPage(n, (int) (n % pages));
                long t0 = System.nanoTime();
                c.send(req);
                c.flush();
                c.read();
                now = System.nanoTime();
                if (hist != null) {
                    hist.recordValue(now - t0);
                }
                n++;
            }
            return n * 1e9 / (now - start);
        }
    }

    /** {@code conns} connections, each with one request in flight, on their own threads. */
    private double parallel(Target target, int conns, long nanos) throws Exception {
        AtomicLong total = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        List<Exception> errors = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < conns; i++) {
            Thread t = new Thread(() -> {
                try {
                    double ops = latency(target, nanos, null);
                    total.addAndGet(Math.round(ops * nanos / 1e9));
                } catch (Exception e) {
                    synchronized (errors) {
                        errors.add(e);
                    }
                }
            });
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        if (!errors.isEmpty()) {
            throw errors.get(0);
        }
        return total.get() * 1e9 / (System.nanoTime() - start);
    }

    /**
     * One connection with {@code depth} requests in flight, driven by one thread: it keeps the window full, sending a
     * new request for each response read and flushing only when no further response is already buffered (so no
     * thread hand-off sits in the loop, on either side of the comparison).
     */
    private double pipelined(Target target, int d, long nanos) throws Exception {
        try (FrameConnection c = target.open()) {
            long n = 0;
            for (; n < d; n++) {
                c.send(FrameConnection.getPage(n, (int) (n % pages)));
            }
            c.flush();
            long start = System.nanoTime();
            long end = start + nanos;
            long received = 0;
            while (System.nanoTime() < end) {
                c.read();
                received++;
                c.send(FrameConnection.getPage(n, (int) (n % pages)));
                n++;
                if (!c.hasBufferedInput()) {
                    c.flush();
                }
            }
            long elapsed = System.nanoTime() - start;
            c.flush();
            for (long i = received; i < n; i++) {
                c.read();
            }
            return received * 1e9 / elapsed;
        }
    }
}

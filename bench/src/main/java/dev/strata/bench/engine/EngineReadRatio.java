package dev.strata.bench.engine;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * The read-cost ratio of {@link EngineReadBenchmark} (10 deltas in L1 files over an image, against the image alone,
 * redo excluded) measured so that a shared machine disturbs it less: both timelines live in one JVM and rounds of
 * reads alternate between them, so both sides of each round's ratio see the same load. Prints each round's CPU-time
 * and wall-time ratio and their medians. Run: {@code java -cp bench/target/benchmarks.jar
 * dev.strata.bench.engine.EngineReadRatio [rounds] [reads per round] [l1|l0]}.
 */
public final class EngineReadRatio {
    private static long sink;

    private EngineReadRatio() {
    }

    /** The same set-up as {@link EngineReadBenchmark#setUp}. */
    static EngineBench timeline(int deltas, String layout) {
        EngineBench b = new EngineBench(EngineBench.config().imageCreationThreshold(1_000_000)
                .compactionThreshold(1_000_000));
        b.importPages(EngineReadBenchmark.KEYS, new Random(1));
        for (int d = 0; d < deltas; d++) {
            b.recordRound(EngineReadBenchmark.KEYS, 100);
            if ("l0".equals(layout) || d == deltas - 1) {
                b.timeline.checkpoint();
            }
        }
        if ("l1".equals(layout) && deltas > 0) {
            b.timeline.compactL0();
        }
        return b;
    }

    /** Reads {@code n} random pages; returns {CPU ns, wall ns}. */
    static long[] reads(EngineBench b, int n, ThreadMXBean mx, Random rnd) {
        long cpu = mx.getCurrentThreadCpuTime();
        long wall = System.nanoTime();
        for (int i = 0; i < n; i++) {
            sink += b.timeline.get(EngineBench.key(rnd.nextInt(EngineReadBenchmark.KEYS)), b.lsn)[0];
        }
        return new long[]{mx.getCurrentThreadCpuTime() - cpu, System.nanoTime() - wall};
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 9;
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
        String layout = args.length > 2 ? args[2] : "l1";
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Random rnd = new Random(7);
        EngineBench image = timeline(0, layout);
        EngineBench deltas = timeline(10, layout);
        try {
            for (int w = 0; w < 3; w++) { // warm-up: JIT and page cache
                reads(image, n, mx, rnd);
                reads(deltas, n, mx, rnd);
            }
            double[] cpu = new double[rounds];
            double[] wall = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                long[] a = reads(image, n, mx, rnd);
                long[] b = reads(deltas, n, mx, rnd);
                cpu[r] = (double) b[0] / a[0];
                wall[r] = (double) b[1] / a[1];
                System.out.printf(Locale.ROOT, "round %d: CPU %.2f / %.2f us = %.2f, wall %.2f / %.2f us = %.2f%n",
                        r, b[0] / 1e3 / n, a[0] / 1e3 / n, cpu[r], b[1] / 1e3 / n, a[1] / 1e3 / n, wall[r]);
            }
            Arrays.sort(cpu);
            Arrays.sort(wall);
            System.out.printf(Locale.ROOT, "reconstruct10_ratio_vs_image (%s): median CPU-time ratio %.2f (min %.2f,"
                    + " max %.2f), median wall-time ratio %.2f over %d rounds%n", layout, cpu[rounds / 2], cpu[0],
                    cpu[rounds - 1], wall[rounds / 2], rounds);
        } finally {
            image.close();
            deltas.close();
        }
        if (sink == 42) {
            System.out.println();
        }
    }
}

package dev.strata.bench.redoidx;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.function.Supplier;

/**
 * The operations of {@link BtreeRedoBench}, timed in thread CPU time rather than wall time: on a shared, oversubscribed
 * machine JMH's wall-clock scores mostly measure waiting for a core, while CPU time per operation stays close to
 * what one idle core would give. Prints ns of CPU per operation and the ratio to the page-copy baseline.
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar dev.strata.bench.redoidx.BtreeRedoCpuTime [operations]}.
 */
public final class BtreeRedoCpuTime {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static volatile Object sink;

    private BtreeRedoCpuTime() {
    }

    public static void main(String[] args) {
        int ops = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        BtreeRedoBench b = new BtreeRedoBench();
        b.setUp();
        double base = measure(b::baselinePageCopy, ops);
        report("baselinePageCopy", base, base);
        report("insertLeaf", measure(b::insertLeaf, ops), base);
        report("splitLeftPage", measure(b::splitLeftPage, ops / 4), base);
        report("splitLeftAndRight", measure(b::splitLeftAndRight, ops / 4), base);
    }

    /** Best of five rounds, each after a warm-up round, in CPU ns per operation. */
    private static double measure(Supplier<Object> op, int ops) {
        double best = Double.MAX_VALUE;
        for (int round = 0; round < 6; round++) {
            long t0 = THREADS.getCurrentThreadCpuTime();
            for (int i = 0; i < ops; i++) {
                sink = op.get();
            }
            double ns = (THREADS.getCurrentThreadCpuTime() - t0) / (double) ops;
            if (round > 0) {
                best = Math.min(best, ns);
            }
        }
        return best;
    }

    private static void report(String name, double ns, double base) {
        System.out.printf("%-20s %9.0f ns CPU/op  %6.1f x baseline%n", name, ns, ns / base);
    }
}

package dev.strata.bench.report;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.DirectoryStream;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * CPU time, so that a comparison also holds on a machine others share: this JVM's process CPU time and where it
 * went (by thread, JIT and GC), and the summed user and system time of a PostgreSQL server's processes (the
 * postmaster and its children, read from /proc).
 */
public final class ProcessCpu {
    /** Linux reports /proc times in clock ticks of 1/100 s on every common configuration. */
    private static final double TICKS_PER_SECOND = 100.0;

    private ProcessCpu() {
    }

    /** This JVM's CPU time in nanoseconds. */
    public static long jvmNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** CPU seconds used so far by the postmaster {@code pid} and its children. */
    public static double serverSeconds(long postmasterPid) throws IOException {
        double total = 0;
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.toList()) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                String[] f = stat(p);
                if (f == null) {
                    continue;
                }
                long pid = Long.parseLong(name);
                long ppid = Long.parseLong(f[1]);
                if (pid == postmasterPid || ppid == postmasterPid) {
                    total += (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
                }
            }
        }
        return total;
    }

    /**
     * CPU time (user and system, in ns) of every thread of this JVM, the JIT compiler's and the garbage collector's
     * included, summed by name without its numbers, from /proc/self/task (Linux; empty elsewhere).
     */
    public static java.util.Map<String, Long> osThreadNanosByGroup() {
        java.util.Map<String, Long> out = new java.util.TreeMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    // after the name: state is field 3; utime and stime are fields 14 and 15, in clock ticks
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
                    out.merge(name.replaceAll("[-#]?\\d+", "").trim(), (long) (ticks * (1e9 / TICKS_PER_SECOND)),
                            Long::sum);
                } catch (IOException | RuntimeException vanished) {
                    // a thread that ended meanwhile
                }
            }
        } catch (IOException notLinux) {
            return out;
        }
        return out;
    }

    /** The fields of /proc/PID/stat after the command name (state first), or null when the process is gone. */
    private static String[] stat(Path proc) {
        try {
            String s = Files.readString(proc.resolve("stat"));
            return s.substring(s.lastIndexOf(')') + 2).split(" ");
        } catch (IOException e) {
            return null;
        }
    }

    /** CPU nanoseconds of each live thread, by name with digits and ids folded. */
    public static java.util.Map<String, Long> threadNanos() {
        java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        java.util.Map<String, Long> out = new java.util.TreeMap<>();
        for (java.lang.management.ThreadInfo ti : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (ti != null) {
                long cpu = mx.getThreadCpuTime(ti.getThreadId());
                out.merge(ti.getThreadName().replaceAll("[0-9a-f]{32}|\\d+", "#"), Math.max(0, cpu), Long::sum);
            }
        }
        return out;
    }

    /** Prints where the JVM's CPU time went since {@code before}: per thread kind, the rest being GC and VM. */
    public static void printThreadDeltas(java.util.Map<String, Long> before, long processNanos) {
        long sum = 0;
        for (java.util.Map.Entry<String, Long> e : threadNanos().entrySet()) {
            long d = e.getValue() - before.getOrDefault(e.getKey(), 0L);
            sum += d;
            if (d > 10_000_000L) {
                System.out.printf(java.util.Locale.ROOT, "  %-28s %.2f CPU s%n", e.getKey(), d / 1e9);
            }
        }
        System.out.printf(java.util.Locale.ROOT, "  %-28s %.2f CPU s%n", "(GC, VM and ended threads)",
                (processNanos - sum) / 1e9);
    }

    /** Milliseconds spent in garbage collections so far (elapsed time, all collectors). */
    public static long gcMillis() {
        long total = 0;
        for (java.lang.management.GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            total += Math.max(0, gc.getCollectionTime());
        }
        return total;
    }

    /** Milliseconds the JIT compilers have spent so far. */
    public static long jitMillis() {
        java.lang.management.CompilationMXBean c = ManagementFactory.getCompilationMXBean();
        return c != null && c.isCompilationTimeMonitoringSupported() ? c.getTotalCompilationTime() : -1;
    }

    /** The 1-minute load average, for the report. */
    public static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
}

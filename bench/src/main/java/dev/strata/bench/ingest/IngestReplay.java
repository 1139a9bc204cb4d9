package dev.strata.bench.ingest;

import dev.strata.bench.report.ProcessCpu;
import dev.strata.it.TestPrimary;
import dev.strata.replication.ReplicationService;
import dev.strata.replication.ingest.WalIngest;
import dev.strata.storage.pg.Lsn;
import dev.strata.storage.pgdata.DatadirModification;
import dev.strata.storage.redo.JavaPageRedo;
import dev.strata.storage.tenant.LocalTenantManager;
import dev.strata.storage.timeline.EngineConfig;
import dev.strata.storage.timeline.Tenant;
import dev.strata.storage.timeline.Timeline;
import dev.strata.storage.wal.BlockImages;
import dev.strata.storage.wal.DecodedRecord;
import dev.strata.storage.wal.WalStreamDecoder;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.stream.Stream;

/**
 * Ingest without the network, to profile and iterate: the pgbench WAL of one run is recorded once, then replayed
 * from memory into fresh copies of the same imported timeline, several times in one JVM.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.strata.bench.ingest.IngestReplay [--scale 4] [--seconds 15]
 *      [--rounds 5] [--chunk 131072]
 * </pre>
 *
 * <ol>
 *   <li>A scratch primary; Strata imports it through a slot (which keeps the WAL that follows) and stops; the
 *       tenant directory, its timeline at the import's end LSN, is kept as a template.</li>
 *   <li>{@code pgbench -i -s SCALE}, {@code pgbench -c 4 -T SECONDS}, CHECKPOINT; the WAL from the timeline's LSN
 *       to the primary's flush LSN is read from pg_wal into memory and the primary stops.</li>
 *   <li>Each round copies the template, opens it and feeds the WAL in {@code --chunk}-byte pieces (as XLogData
 *       messages would carry it) through the ingest pipeline: a decoding thread hands batches of records to the
 *       ingest thread over a bounded queue, as the WAL receiver does. It prints MB/s (wall), the ingest and decoding
 *       threads' CPU seconds, the process's CPU seconds and the GC and JIT time over the same span. Then it
 *       checkpoints the timeline (the flush of what is left in memory, timed on its own) and prints the CPU
 *       seconds of every thread over the whole round (ingest, flush, scratch-file writer; the rest is GC, JIT and
 *       the decoding thread, which has ended). The first rounds are the JIT's warm-up; compare the later ones.</li>
 * </ol>
 */
public final class IngestReplay {
    private int scale = 4;
    private int seconds = 15;
    private int rounds = 5;
    private int chunk = 128 << 10;

    public static void main(String[] args) throws Exception {
        IngestReplay r = new IngestReplay();
        for (int i = 0; i + 1 < args.length; i += 2) {
            int v = Integer.parseInt(args[i + 1]);
            switch (args[i]) {
                case "--scale" -> r.scale = v;
                case "--seconds" -> r.seconds = v;
                case "--rounds" -> r.rounds = v;
                case "--chunk" -> r.chunk = v;
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        r.run();
    }

    private void run() throws Exception {
        Path work = Files.createTempDirectory("strata-ingest-replay-");
        try {
            Path template = work.resolve("template");
            String tenantId;
            String timelineId;
            long from;
            long prev;
            long to;
            byte[] wal;
            int segmentSize;
            try (TestPrimary pg = TestPrimary.builder().setting("autovacuum", "off").start()) {
                try (LocalTenantManager tenants = new LocalTenantManager(template, new EngineConfig(),
                        new JavaPageRedo()); ReplicationService rs = new ReplicationService(tenants)) {
                    Timeline tl = rs.createFromPrimary(null, null, pg.conninfo(), "strata_replay");
                    tenantId = tl.tenantId();
                    timelineId = tl.timelineId();
                    from = tl.lastRecordLsn();
                    prev = tl.prevRecordLsn();
                }
                pg.pgbench("-i", "-q", "-s", Integer.toString(scale));
                pg.pgbench("-c", "4", "-j", "2", "-T", Integer.toString(seconds), "-n");
                pg.sql("CHECKPOINT");
                to = pg.currentFlushLsn();
                segmentSize = Integer.parseInt(pg.queryString("SELECT setting FROM pg_settings "
                        + "WHERE name = 'wal_segment_size'"));
                wal = readWal(pg.walDir(), from, to, segmentSize);
            }
            System.out.printf(Locale.ROOT, "recorded %.1f MB of WAL from %s to %s%n", wal.length / 1048576.0,
                    Lsn.format(from), Lsn.format(to));
            for (int round = 1; round <= rounds; round++) {
                Path dir = work.resolve("round-" + round);
                copyTree(template, dir);
                replay(round, dir, tenantId, timelineId, from, prev, to, wal, segmentSize);
                TestPrimary.deleteTree(dir);
            }
        } finally {
            TestPrimary.deleteTree(work);
        }
    }

    /** The WAL bytes [from, to) out of the segment files (timeline 1). */
    private static byte[] readWal(Path walDir, long from, long to, int segmentSize) throws IOException {
        byte[] out = new byte[(int) (to - from)];
        long at = from;
        while (at < to) {
            long segno = at / segmentSize;
            long segsPerId = 0x1_0000_0000L / segmentSize;
            String name = String.format("%08X%08X%08X", 1, segno / segsPerId, segno % segsPerId);
            byte[] seg = Files.readAllBytes(walDir.resolve(name));
            int off = (int) (at % segmentSize);
            int n = (int) Math.min(segmentSize - off, to - at);
            System.arraycopy(seg, off, out, (int) (at - from), n);
            at += n;
        }
        return out;
    }

    private void replay(int round, Path dir, String tenantId, String timelineId, long from, long prev, long to,
                        byte[] wal, int segmentSize) throws Exception {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        try (LocalTenantManager tenants = new LocalTenantManager(dir, new EngineConfig(), new JavaPageRedo())) {
            Tenant tenant = tenants.tenants().stream().filter(t -> t.tenantId().equals(tenantId)).findFirst()
                    .orElseThrow();
            Timeline tl = tenant.timelines().stream().filter(t -> t.timelineId().equals(timelineId)).findFirst()
                    .orElseThrow();
            WalIngest ingest = new WalIngest(new DatadirModification(tl), BlockImages::restore);
            BlockingQueue<List<DecodedRecord>> queue = new ArrayBlockingQueue<>(256);
            long[] decodeCpu = new long[1];
            Thread decoderThread = new Thread(() -> {
                WalStreamDecoder d = new WalStreamDecoder(from, segmentSize).expectPrev(prev);
                try {
                    for (int off = 0; off < wal.length; off += chunk) {
                        d.feed(wal, off, Math.min(chunk, wal.length - off));
                        List<DecodedRecord> batch = new ArrayList<>();
                        DecodedRecord r;
                        while ((r = d.next()) != null) {
                            batch.add(r);
                        }
                        queue.put(batch);
                    }
                    queue.put(List.of());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                decodeCpu[0] = mx.getCurrentThreadCpuTime();
            }, "replay-decoder");
            java.util.Map<String, Long> threads0 = ProcessCpu.threadNanos();
            long process0 = ProcessCpu.jvmNanos();
            long gc0 = ProcessCpu.gcMillis();
            long jit0 = ProcessCpu.jitMillis();
            long cpu0 = mx.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            decoderThread.start();
            long records = 0;
            for (List<DecodedRecord> batch = queue.take(); !batch.isEmpty(); batch = queue.take()) {
                List<DecodedRecord> b = batch;
                tl.writer().batch(() -> b.forEach(ingest::ingest)); // one writer batch per message, as the ingest thread
                records += batch.size();
            }
            long nanos = System.nanoTime() - t0;
            long ingestCpu = mx.getCurrentThreadCpuTime() - cpu0;
            decoderThread.join();
            long processCpu = ProcessCpu.jvmNanos() - process0;
            System.out.printf(Locale.ROOT, "round %d: %d records to %s, %.1f MB in %.2f s = %.1f MB/s; CPU s: "
                            + "ingest %.2f, decode %.2f, process %.2f (GC %d ms, JIT %d ms elapsed)%n", round, records,
                    Lsn.format(tl.lastRecordLsn()), wal.length / 1048576.0, nanos / 1e9,
                    wal.length / 1048576.0 / (nanos / 1e9), ingestCpu / 1e9, decodeCpu[0] / 1e9, processCpu / 1e9,
                    ProcessCpu.gcMillis() - gc0, ProcessCpu.jitMillis() - jit0);
            long f0 = System.nanoTime();
            long fcpu0 = ProcessCpu.jvmNanos();
            tl.checkpoint();
            long flushNanos = System.nanoTime() - f0;
            long allCpu = ProcessCpu.jvmNanos() - process0;
            System.out.printf(Locale.ROOT, "  then the flush of what is left in memory: %.2f s, %.2f CPU s; ingest "
                            + "and flushes together: %.1f MB per process CPU s%n", flushNanos / 1e9,
                    (ProcessCpu.jvmNanos() - fcpu0) / 1e9, wal.length / 1048576.0 / (allCpu / 1e9));
            ProcessCpu.printThreadDeltas(threads0, allCpu);
            if (tl.lastRecordLsn() < to) {
                throw new IllegalStateException("replay stopped at " + Lsn.format(tl.lastRecordLsn()));
            }
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path dst = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dst);
                } else {
                    Files.copy(p, dst, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }
}

package dev.strata.it.wire;

import dev.strata.storage.pg.Lsn;
import dev.strata.storage.pg.RelTag;
import dev.strata.wire.client.PageStreamClient;
import dev.strata.wire.client.PgWireClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random and mutated frames (startup packets, queries and extended-protocol messages, page-stream requests)
 * against the live pg port while a well-behaved client keeps reading pages and running commands next to them.
 * The server must answer the good client correctly all along, survive, close every fuzz connection, and leak no
 * buffer. Seeded: the seed is printed, and {@code -Dstrata.fuzz.seed=N} replays a run.
 */
class FuzzIT {
    private static final int FRAMES = Integer.getInteger("strata.fuzz.frames", 10_000);
    private static final String[] WORDS = {"tenant", "timeline", "create", "list", "branch", "detail", "layers",
            "pagestream_v2", "pagestream_v3", "basebackup", "fullbackup", "lease", "lsn", "set", "show", "at",
            "primary", "checkpoint", "gc", "compact", "latest", "--gzip", "--replica", "IDENTIFY_SYSTEM", ";", "'",
            "0/0", "FFFFFFFF/FFFFFFFF", "1/2", "0123456789abcdef0123456789abcdef", "\"", "BASE_BACKUP", "(", ")"};

    @RegisterExtension
    static final PageServiceIT.ClusterExtension CLUSTER = new PageServiceIT.ClusterExtension();

    @Test
    void random_and_mutated_frames_never_hurt_the_server_or_a_well_behaved_client() throws Exception {
        WireCluster c = CLUSTER.cluster();
        long seed = Long.getLong("strata.fuzz.seed", System.nanoTime());
        System.out.println("FuzzIT seed " + seed + " (replay with -Dstrata.fuzz.seed=" + seed + ")");
        SnapshotFiles files = new SnapshotFiles(c.snapshot);
        RelTag rel = files.relations().entrySet().stream().filter(e -> e.getValue() > 8).findFirst()
                .orElseThrow().getKey();
        int blocks = files.relations().get(rel);
        int baseline = c.server.openConnections();
        try (LeakWatch leaks = new LeakWatch()) {
            AtomicBoolean fuzzing = new AtomicBoolean(true);
            AtomicLong goodPages = new AtomicLong();
            ExecutorService pool = Executors.newFixedThreadPool(4);
            Future<?> good = pool.submit(() -> wellBehaved(c, files, rel, blocks, fuzzing, goodPages));
            AtomicInteger sent = new AtomicInteger();
            List<Future<?>> fuzzers = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                long threadSeed = seed + t;
                fuzzers.add(pool.submit(() -> fuzz(c, new Random(threadSeed), sent, rel)));
            }
            for (Future<?> f : fuzzers) {
                f.get();
            }
            fuzzing.set(false);
            good.get();
            pool.shutdown();
            assertThat(sent.get()).isGreaterThanOrEqualTo(FRAMES);
            assertThat(goodPages.get()).as("pages the good client read during the fuzz").isPositive();
            assertThat(c.meters.get("strata.pageservice.requests").tag("type", "invalid").tag("result", "error")
                    .counter().count()).as("malformed page requests answered with 103").isPositive();
            try (PgWireClient after = PgWireClient.connect("127.0.0.1", c.port())) {
                assertThat(after.query("tenant list").get(0).rows()).isNotEmpty();
            }
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (c.server.openConnections() > baseline && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(c.server.openConnections()).as("connections left open").isEqualTo(baseline);
            assertThat(leaks.reports()).as("buffers leaked (seed %d)", seed).isEmpty();
        }
    }

    /** Reads pages and runs a command over and over while the fuzz runs; any wrong answer fails the test. */
    private static Void wellBehaved(WireCluster c, SnapshotFiles files, RelTag rel, int blocks, AtomicBoolean running,
                                    AtomicLong pages) throws Exception {
        try (PgWireClient conn = PgWireClient.connect("127.0.0.1", c.port());
             PgWireClient admin = PgWireClient.connect("127.0.0.1", c.port())) {
            PageStreamClient ps = conn.pageStream(3, c.tenantId, c.timelineId);
            long id = 0;
            while (running.get()) {
                for (int b = 0; b < blocks && running.get(); b++) {
                    ps.getPage(id, Lsn.MAX, c.lsn, rel, b);
                    ps.flush();
                    PageStreamClient.Response r = ps.read();
                    assertThat(r.reqId()).isEqualTo(id++);
                    assertThat(r.data()).as("page %d of %s", b, rel).isEqualTo(files.page(rel, b));
                    pages.incrementAndGet();
                }
                assertThat(admin.query("timeline list " + c.tenantId).get(0).rows()).isNotEmpty();
            }
            ps.end();
        }
        return null;
    }

    private static Void fuzz(WireCluster c, Random rnd, AtomicInteger sent, RelTag rel) throws Exception {
        while (sent.get() < FRAMES) {
            int kind = rnd.nextInt(3);
            List<byte[]> frames = new ArrayList<>();
            if (kind == 0) {
                frames.add(startupFuzz(rnd));
            } else {
                frames.add(startup(rnd.nextInt(10) == 0 ? Map.of("user", "u", "replication", "true")
                        : Map.of("user", "fuzz", "database", "postgres")));
                if (kind == 2) {
                    frames.add(query("pagestream_v" + (2 + rnd.nextInt(2)) + " " + c.tenantId + " "
                            + c.timelineId));
                }
                int n = 5 + rnd.nextInt(40);
                for (int i = 0; i < n; i++) {
                    frames.add(kind == 1 ? queryFuzz(rnd) : pageFuzz(rnd, c, rel));
                }
            }
            sent.addAndGet(frames.size());
            send(c.port(), frames, rnd);
        }
        return null;
    }

    /** Sends the frames (sometimes cut at a random byte), then half-closes and drains the answers. */
    private static void send(int port, List<byte[]> frames, Random rnd) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            Thread drain = new Thread(() -> {
                byte[] buf = new byte[64 * 1024];
                try {
                    while (in.read(buf) >= 0) {
                        // the answers do not matter, only that the server keeps writing and ends the connection
                    }
                } catch (IOException ignored) {
                    // reset or timeout: the server closed the connection, which is allowed
                }
            });
            drain.start();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (byte[] f : frames) {
                all.write(f);
            }
            byte[] bytes = all.toByteArray();
            int len = rnd.nextInt(8) == 0 ? rnd.nextInt(bytes.length + 1) : bytes.length;
            try {
                out.write(bytes, 0, len);
                out.flush();
                s.shutdownOutput();
            } catch (IOException serverClosedFirst) {
                // a FATAL error closes the connection while we still write
            }
            try {
                drain.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static byte[] startup(Map<String, String> params) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        params.forEach((k, v) -> {
            body.writeBytes((k + "\0" + v + "\0").getBytes(StandardCharsets.UTF_8));
        });
        body.write(0);
        return ByteBuffer.allocate(8 + body.size()).putInt(8 + body.size()).putInt(3 << 16).put(body.toByteArray())
                .array();
    }

    static byte[] message(int tag, byte[] body) {
        return ByteBuffer.allocate(5 + body.length).put((byte) tag).putInt(4 + body.length).put(body).array();
    }

    static byte[] query(String sql) {
        return message('Q', (sql + "\0").getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] mutate(byte[] b, Random rnd) {
        byte[] m = b.clone();
        int flips = 1 + rnd.nextInt(3);
        for (int i = 0; i < flips && m.length > 0; i++) {
            m[rnd.nextInt(m.length)] = (byte) rnd.nextInt(256);
        }
        return m;
    }

    private static byte[] randomBytes(Random rnd, int max) {
        byte[] b = new byte[rnd.nextInt(max + 1)];
        rnd.nextBytes(b);
        return b;
    }

    private static byte[] startupFuzz(Random rnd) {
        byte[] valid = startup(Map.of("user", "fuzz", "options", "-c strata.tenant=x"));
        return switch (rnd.nextInt(7)) {
            case 0 -> randomBytes(rnd, 200);
            case 1 -> mutate(valid, rnd);
            case 2 -> ByteBuffer.allocate(8).putInt(rnd.nextInt()).putInt(3 << 16).array();
            case 3 -> ByteBuffer.allocate(8 + 16).putInt(8).putInt(80877103).put(randomBytes(rnd, 16)).array();
            case 4 -> ByteBuffer.allocate(16).putInt(16).putInt(80877102).putInt(rnd.nextInt()).putInt(rnd.nextInt())
                    .array();
            case 5 -> ByteBuffer.allocate(8).putInt(8).putInt(rnd.nextBoolean() ? 2 << 16 : (3 << 16) + 7).array();
            default -> java.util.Arrays.copyOf(valid, rnd.nextInt(valid.length));
        };
    }

    private static byte[] queryFuzz(Random rnd) {
        StringBuilder sql = new StringBuilder();
        int words = rnd.nextInt(8);
        for (int i = 0; i < words; i++) {
            sql.append(WORDS[rnd.nextInt(WORDS.length)]).append(rnd.nextBoolean() ? " " : "");
        }
        return switch (rnd.nextInt(8)) {
            case 0 -> query(sql.toString());
            case 1 -> mutate(query(sql.toString()), rnd);
            case 2 -> message("PBDESHCFdcfpQ".charAt(rnd.nextInt(13)), randomBytes(rnd, 64));
            case 3 -> message(rnd.nextInt(256), randomBytes(rnd, 32));
            case 4 -> ByteBuffer.allocate(5).put((byte) 'Q').putInt(4 + (1 << 20) + rnd.nextInt(1 << 20)).array();
            case 5 -> message('Q', randomBytes(rnd, 100));
            case 6 -> message('P', ("\0" + sql + "\0\0\0").getBytes(StandardCharsets.UTF_8));
            default -> query("tenant list");
        };
    }

    private static byte[] pageFuzz(Random rnd, WireCluster c, RelTag rel) {
        ByteBuffer b = ByteBuffer.allocate(42);
        b.put((byte) rnd.nextInt(6)).putLong(rnd.nextLong())
                .putLong(rnd.nextInt(4) == 0 ? rnd.nextLong() : Lsn.MAX)
                .putLong(rnd.nextInt(4) == 0 ? rnd.nextLong() & 0xFFFF_FFFFL : c.lsn)
                .putInt(rel.spcNode()).putInt(rel.dbNode()).putInt(rnd.nextInt(8) == 0 ? rnd.nextInt() : rel.relNode())
                .put((byte) rnd.nextInt(5)).putInt(rnd.nextInt(16));
        byte[] req = b.array();
        byte[] body = switch (rnd.nextInt(5)) {
            case 0 -> mutate(req, rnd);
            case 1 -> java.util.Arrays.copyOf(req, rnd.nextInt(req.length));
            case 2 -> randomBytes(rnd, 80);
            default -> java.util.Arrays.copyOf(req, 17 + rnd.nextInt(30));
        };
        return rnd.nextInt(20) == 0 ? message(rnd.nextInt(256), body) : message('d', body);
    }
}

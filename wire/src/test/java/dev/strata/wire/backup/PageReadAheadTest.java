package dev.strata.wire.backup;

import dev.strata.storage.KeyNotFoundException;
import dev.strata.storage.pg.RelTag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PageReadAheadTest {
    private static final long LSN = 0x3345678L;
    private static final RelTag A = new RelTag(1663, 5, 16384, 0);
    private static final RelTag B = new RelTag(1663, 5, 16385, 0);

    private final ExecutorService pool = Executors.newFixedThreadPool(4);

    @AfterEach
    void stopPool() throws InterruptedException {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void pages_come_out_in_file_and_block_order_whatever_order_the_threads_finish_in() throws Exception {
        long seed = System.nanoTime();
        System.out.println("seed " + seed);
        Random rnd = new Random(seed);
        int[] delays = new int[400];
        for (int i = 0; i < delays.length; i++) {
            delays[i] = rnd.nextInt(200);
        }
        FakeView v = new FakeView(LSN);
        v.rel(1663, 5, 16384, 0, 150, b -> slow(FakeView.page(b, 1), delays[b]));
        v.rel(1663, 5, 16385, 0, 400, b -> slow(FakeView.page(b, 7), delays[b]));
        List<PageReadAhead.Run> runs = List.of(new PageReadAhead.Run(A, 0, 150, "base/5/16384"),
                new PageReadAhead.Run(B, 0, 0, "base/5/empty"), new PageReadAhead.Run(B, 3, 1, "base/5/one"),
                new PageReadAhead.Run(B, 100, 300, "base/5/16385.1"));
        Map<String, byte[]> files = write(v, runs, 3);
        assertThat(files.keySet()).containsExactly("base/5/16384", "base/5/empty", "base/5/one", "base/5/16385.1");
        assertThat(files.get("base/5/16384")).isEqualTo(expected(A, 0, 150, 1));
        assertThat(files.get("base/5/empty")).isEmpty();
        assertThat(files.get("base/5/one")).isEqualTo(expected(B, 3, 1, 7));
        assertThat(files.get("base/5/16385.1")).isEqualTo(expected(B, 100, 300, 7));
    }

    @Test
    void a_failed_read_writes_the_blocks_before_it_then_names_block_file_and_lsn() {
        FakeView v = new FakeView(LSN);
        v.rel(1663, 5, 16384, 0, 100, b -> {
            if (b == 45) {
                throw new KeyNotFoundException("block 45 is not stored");
            }
            return FakeView.page(b, 0);
        });
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PageReadAhead.Run run = new PageReadAhead.Run(A, 0, 100, "base/5/16384");
        TarWriter tar = new TarWriter(out, 0, BackupWriter.Listener.NONE);
        assertThatThrownBy(() -> {
            try (PageReadAhead ahead = new PageReadAhead(v, LSN, false, List.of(run), pool, 3)) {
                tar.beginFile(run.path(), 100 * 8192L);
                ahead.write(tar, run);
            }
        }).isInstanceOf(BackupException.class).hasMessageContaining("block 45 of 1663/5/16384 (base/5/16384)")
                .hasMessageContaining("0/3345678").hasMessageContaining("block 45 is not stored");
        assertThat(out.size()).as("header and blocks 0 to 44").isEqualTo(TarWriter.BLOCK + 45 * 8192);
    }

    @Test
    void closing_early_stops_reading_ahead() throws Exception {
        AtomicInteger reads = new AtomicInteger();
        FakeView v = new FakeView(LSN);
        v.rel(1663, 5, 16384, 0, 10_000, b -> {
            reads.incrementAndGet();
            return FakeView.page(b, 0);
        });
        PageReadAhead.Run run = new PageReadAhead.Run(A, 0, 10_000, "base/5/16384");
        PageReadAhead ahead = new PageReadAhead(v, LSN, false, List.of(run), pool, 4);
        TarWriter tar = new TarWriter(failingAfter(1 << 20), 0, BackupWriter.Listener.NONE);
        tar.beginFile(run.path(), 10_000 * 8192L);
        assertThatThrownBy(() -> ahead.write(tar, run)).isInstanceOf(IOException.class)
                .hasMessage("connection reset");
        ahead.close();
        int after = reads.get();
        Thread.sleep(50);
        assertThat(reads.get()).as("no read after close").isEqualTo(after);
        assertThat(after).as("reads stop within the window")
                .isLessThan((1 << 20) / 8192 + 6 * PageReadAhead.CHUNK_BLOCKS);
    }

    @Test
    void an_interrupted_writer_stops_with_an_interrupted_io_error_and_keeps_its_interrupt() throws Exception {
        AtomicInteger reads = new AtomicInteger();
        FakeView v = new FakeView(LSN);
        v.rel(1663, 5, 16384, 0, 100_000, b -> {
            reads.incrementAndGet();
            return slow(FakeView.page(b, 0), 500);
        });
        PageReadAhead.Run run = new PageReadAhead.Run(A, 0, 100_000, "base/5/16384");
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicBoolean stillInterrupted = new AtomicBoolean();
        Thread writer = new Thread(() -> {
            TarWriter tar = new TarWriter(OutputStream.nullOutputStream(), 0, BackupWriter.Listener.NONE);
            try (PageReadAhead ahead = new PageReadAhead(v, LSN, false, List.of(run), pool, 4)) {
                tar.beginFile(run.path(), 100_000 * 8192L);
                ahead.write(tar, run);
            } catch (Throwable t) {
                failure.set(t);
            }
            stillInterrupted.set(Thread.currentThread().isInterrupted());
        });
        writer.start();
        Thread.sleep(100);
        writer.interrupt();
        writer.join(30_000);
        assertThat(writer.isAlive()).isFalse();
        assertThat(failure.get()).isInstanceOf(InterruptedIOException.class).hasMessageContaining("base/5/16384");
        assertThat(stillInterrupted).isTrue();
        int after = reads.get();
        Thread.sleep(50);
        assertThat(reads.get()).as("no read after close").isEqualTo(after);
    }

    @Test
    void checksums_are_set_by_the_reading_threads_on_the_copy_not_the_views_page() throws Exception {
        byte[] shared = FakeView.page(9, 0);
        FakeView v = new FakeView(LSN);
        v.rel(1663, 5, 16384, 0, 70, b -> shared);
        Map<String, byte[]> files = write(v, List.of(new PageReadAhead.Run(A, 0, 70, "base/5/16384")), 2, true);
        byte[] f = files.get("base/5/16384");
        for (int b = 0; b < 70; b++) {
            short c = PageChecksum.compute(f, b * 8192, b);
            assertThat((short) ((f[b * 8192 + 8] & 0xFF) | (f[b * 8192 + 9] & 0xFF) << 8)).isEqualTo(c);
        }
        assertThat(shared).isEqualTo(FakeView.page(9, 0));
    }

    private Map<String, byte[]> write(FakeView v, List<PageReadAhead.Run> runs, int window) throws IOException {
        return write(v, runs, window, false);
    }

    private Map<String, byte[]> write(FakeView v, List<PageReadAhead.Run> runs, int window, boolean checksums)
            throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        List<ByteArrayOutputStream> current = new ArrayList<>();
        TarWriter tar = new TarWriter(OutputStream.nullOutputStream(), 0, new BackupWriter.Listener() {
            @Override
            public void beginFile(String path, long size, long mtime) {
                current.add(new ByteArrayOutputStream());
            }

            @Override
            public void data(byte[] b, int off, int len) {
                current.get(current.size() - 1).write(b, off, len);
            }
        });
        try (PageReadAhead ahead = new PageReadAhead(v, LSN, checksums, runs, pool, window)) {
            for (PageReadAhead.Run run : runs) {
                tar.beginFile(run.path(), run.count() * 8192L);
                if (run.count() > 0) {
                    ahead.write(tar, run);
                }
                tar.endFile();
                files.put(run.path(), current.get(current.size() - 1).toByteArray());
            }
        }
        return files;
    }

    private static byte[] expected(RelTag rel, int first, int count, int salt) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int b = first; b < first + count; b++) {
            out.writeBytes(FakeView.page(b, salt));
        }
        return out.toByteArray();
    }

    private static byte[] slow(byte[] page, int micros) {
        LockSupport.parkNanos(micros * 1000L);
        return page;
    }

    /** A stream that fails once more than {@code limit} bytes were written, as a client that went away. */
    private static OutputStream failingAfter(int limit) {
        return new OutputStream() {
            private int n;

            @Override
            public void write(int b) throws IOException {
                write(new byte[]{(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                n += len;
                if (n > limit) {
                    throw new IOException("connection reset");
                }
            }
        };
    }
}

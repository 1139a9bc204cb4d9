package dev.strata.storage.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScratchFileTest {
    @TempDir
    Path dir;

    /** A value of {@code len} payload bytes that names itself: every byte derives from (seed, index). */
    private static byte[] payload(long seed, int i, int len) {
        byte[] p = new byte[len];
        new Random(seed * 31 + i).nextBytes(p);
        return p;
    }

    private static byte[] encoded(long seed, int i, int len) {
        byte[] p = payload(seed, i, len);
        byte[] out = new byte[len + 2];
        out[0] = (byte) i;
        out[1] = (byte) (i >>> 8);
        System.arraycopy(p, 0, out, 2, len);
        return out;
    }

    private static int randomLength(Random rnd) {
        int k = rnd.nextInt(100);
        if (k == 0) {
            return ScratchFile.CHUNK_SIZE + rnd.nextInt(3 * ScratchFile.CHUNK_SIZE); // a chunk of its own
        }
        if (k < 10) {
            return 8192;
        }
        return rnd.nextInt(400);
    }

    @Test
    void everyValueReadsBackWhileInMemoryWhileBeingWrittenAndFromTheFile() throws Exception {
        long seed = System.nanoTime();
        System.out.println("ScratchFileTest seed " + seed);
        Random rnd = new Random(seed);
        ScratchFile f = new ScratchFile(dir.resolve("ephemeral-1"), new WriteBehind("test-writer"));
        int n = 6000;
        long[] locs = new long[n];
        int[] lens = new int[n];
        AtomicInteger published = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            Random r = new Random(seed + 1);
            try {
                int p;
                while ((p = published.get()) < n) {
                    for (int k = 0; k < 20 && p > 0; k++) {
                        int i = r.nextInt(p);
                        assertThat(f.read(locs[i], lens[i] + 2)).as("seed %d value %d", seed, i)
                                .isEqualTo(encoded(seed, i, lens[i]));
                    }
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        reader.start();
        for (int i = 0; i < n; i++) {
            lens[i] = randomLength(rnd);
            locs[i] = f.append((byte) i, (byte) (i >>> 8), payload(seed, i, lens[i]));
            published.set(i + 1); // the volatile write publishes locs[i], as the index's release store does
        }
        reader.join();
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        f.awaitWritten();
        long total = 0;
        try (FileChannel ch = FileChannel.open(dir.resolve("ephemeral-1"), StandardOpenOption.READ)) {
            for (int i = 0; i < n; i++) {
                total += lens[i] + 2;
                byte[] expected = encoded(seed, i, lens[i]);
                assertThat(f.read(locs[i], lens[i] + 2)).as("seed %d value %d after the writes", seed, i)
                        .isEqualTo(expected);
                ByteBuffer b = ByteBuffer.allocate(lens[i] + 2);
                ch.read(b, locs[i]);
                assertThat(b.array()).as("seed %d value %d in the file", seed, i).isEqualTo(expected);
            }
        }
        assertThat(f.size()).isEqualTo(total);
        assertThat(f.end()).isLessThanOrEqualTo(Files.size(dir.resolve("ephemeral-1")));
        f.closeAndDelete();
        assertThat(dir.resolve("ephemeral-1")).doesNotExist();
    }

    @Test
    void aFailedWriteIsReportedAndItsValuesStayReadableFromMemory() throws Exception {
        ScratchFile f = new ScratchFile(dir.resolve("ephemeral-2"), new WriteBehind("test-writer"));
        byte[] big = new byte[ScratchFile.CHUNK_SIZE - 2];
        Arrays.fill(big, (byte) 7);
        long first = f.append((byte) 0, (byte) 1, big);
        f.awaitWritten();
        f.channel().close(); // the file's writes fail from now on, as a full or failing disk would make them
        List<Long> locs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            byte[] v = new byte[1000];
            Arrays.fill(v, (byte) i);
            locs.add(f.append((byte) 0, (byte) 0, v));
        }
        assertThatThrownBy(f::awaitWritten).isInstanceOf(IOException.class).hasMessageContaining("ephemeral-2");
        assertThatThrownBy(() -> f.append((byte) 0, (byte) 0, new byte[ScratchFile.CHUNK_SIZE]))
                .isInstanceOf(IOException.class);
        for (int i = 0; i < 3; i++) {
            byte[] got = f.read(locs.get(i), 1002);
            assertThat(got[2]).isEqualTo((byte) i);
            assertThat(got[1001]).isEqualTo((byte) i);
        }
        assertThat(first).isZero();
    }

    @Test
    void theAppendingThreadWaitsWhenTheWriterFallsBehindInsteadOfBufferingWithoutBound() throws Exception {
        WriteBehind writer = new WriteBehind("test-writer");
        CountDownLatch stuck = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Path other = dir.resolve("other");
        FileChannel och = FileChannel.open(other, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        writer.submit(och, 0, new byte[1], 1, e -> {
            stuck.countDown();
            try {
                release.await();
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(stuck.await(10, TimeUnit.SECONDS)).isTrue();
        ScratchFile f = new ScratchFile(dir.resolve("ephemeral-3"), writer);
        AtomicInteger chunksAppended = new AtomicInteger();
        Thread appender = new Thread(() -> {
            try {
                for (int i = 0; i < ScratchFile.MAX_UNWRITTEN_CHUNKS + 5; i++) {
                    f.append((byte) 0, (byte) 0, new byte[ScratchFile.CHUNK_SIZE - 2]);
                    chunksAppended.incrementAndGet();
                }
                f.awaitWritten();
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
        appender.start();
        appender.join(2000);
        assertThat(appender.isAlive()).as("the appender waits for the writer").isTrue();
        assertThat(chunksAppended.get()).isLessThanOrEqualTo(ScratchFile.MAX_UNWRITTEN_CHUNKS + 1);
        release.countDown();
        appender.join(30_000);
        assertThat(appender.isAlive()).isFalse();
        assertThat(chunksAppended.get()).isEqualTo(ScratchFile.MAX_UNWRITTEN_CHUNKS + 5);
        och.close();
        f.closeAndDelete();
    }
}

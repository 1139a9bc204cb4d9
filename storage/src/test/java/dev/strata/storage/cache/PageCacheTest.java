package dev.strata.storage.cache;

import dev.strata.storage.TestSeeds;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PageCacheTest {
    private static final int BLOCK = 8192;

    /** A small block whose bytes name its file and block, so a wrong block is detected. */
    private static byte[] blockOf(long file, long block) {
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (file >>> (56 - 8 * i));
            b[8 + i] = (byte) (block >>> (56 - 8 * i));
        }
        return b;
    }

    @Test
    void aHitReturnsTheCachedBlockWithoutLoadingAgain() {
        PageCache c = new PageCache(64L * BLOCK);
        AtomicInteger loads = new AtomicInteger();
        byte[] first = c.get(7, 3, n -> {
            loads.incrementAndGet();
            return blockOf(7, n);
        });
        byte[] again = c.get(7, 3, n -> {
            throw new AssertionError("loaded a cached block");
        });
        assertSame(first, again);
        assertEquals(1, loads.get());
        assertEquals(1, c.hits());
        assertEquals(1, c.misses());
    }

    @Test
    void aFailedLoadCachesNothing() {
        PageCache c = new PageCache(64L * BLOCK);
        assertThrows(IllegalStateException.class, () -> c.get(1, 1, n -> {
            throw new IllegalStateException("bad checksum");
        }));
        assertEquals(0, c.size());
        assertArrayEquals(blockOf(1, 1), c.get(1, 1, n -> blockOf(1, n)));
    }

    @Test
    void theCacheNeverHoldsMoreBlocksThanItsCapacityAndAlwaysReturnsTheRightBlock() {
        long seed = TestSeeds.seed("PageCacheTest");
        Random rnd = new Random(seed);
        PageCache c = new PageCache(100L * BLOCK);
        for (int i = 0; i < 200_000; i++) {
            long file = 1 + rnd.nextInt(20);
            int block = rnd.nextInt(rnd.nextBoolean() ? 8 : 400);
            byte[] b = c.get(file, block, n -> blockOf(file, n));
            assertArrayEquals(blockOf(file, block), b, "seed " + seed);
        }
        assertEquals(100, c.size());
    }

    @Test
    void recentlyUsedBlocksSurviveAScanOfColdOnes() {
        PageCache c = new PageCache(64L * BLOCK);
        for (int b = 0; b < 8; b++) {
            int block = b;
            c.get(1, block, n -> blockOf(1, n));
        }
        for (int cold = 0; cold < 56; cold++) {
            c.get(2, cold, n -> blockOf(2, n));
        }
        for (int round = 0; round < 10; round++) {
            for (int b = 0; b < 8; b++) {
                c.get(1, b, n -> blockOf(1, n)); // sets the reference bits of the hot blocks
            }
            for (int cold = 0; cold < 8; cold++) {
                c.get(3 + round, cold, n -> blockOf(3, n));
            }
        }
        long missesBefore = c.misses();
        for (int b = 0; b < 8; b++) {
            c.get(1, b, n -> blockOf(1, n));
        }
        assertEquals(missesBefore, c.misses(), "a hot block was evicted by cold ones");
    }

    @Test
    void clearDropsEveryBlock() {
        PageCache c = new PageCache(64L * BLOCK);
        c.get(1, 1, n -> blockOf(1, n));
        c.clear();
        assertEquals(0, c.size());
        AtomicInteger loads = new AtomicInteger();
        c.get(1, 1, n -> {
            loads.incrementAndGet();
            return blockOf(1, n);
        });
        assertEquals(1, loads.get());
    }

    @Test
    void concurrentReadersAndEvictionsNeverSeeAnotherKeysBlock() throws Exception {
        long seed = TestSeeds.seed("PageCacheTest concurrent");
        PageCache c = new PageCache(64L * BLOCK);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Random rnd = new Random(seed + t);
            threads.add(new Thread(() -> {
                try {
                    for (int i = 0; i < 200_000; i++) {
                        long file = 1 + rnd.nextInt(4);
                        int block = rnd.nextInt(i % 3 == 0 ? 200 : 40);
                        byte[] b = c.get(file, block, n -> blockOf(file, n));
                        if (!java.util.Arrays.equals(blockOf(file, block), b)) {
                            throw new AssertionError("file " + file + " block " + block + " got another block");
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        assertNull(failure.get(), "seed " + seed);
        assertTrue(c.size() <= 64);
    }
}

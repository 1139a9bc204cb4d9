package dev.strata.storage.layer;

import dev.strata.storage.key.Key;
import dev.strata.storage.pg.RelTag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

class VersionIndexTest {

    private static Key randomKey(Random rnd) {
        return switch (rnd.nextInt(4)) {
            case 0 -> Key.relBlock(new RelTag(1663, 5, 16384 + rnd.nextInt(8), rnd.nextInt(3)), rnd.nextInt(50_000));
            case 1 -> Key.relSize(new RelTag(1663, 5, 16384 + rnd.nextInt(8), 0));
            case 2 -> Key.slruBlock(rnd.nextInt(3), rnd.nextInt(4), rnd.nextInt(32));
            default -> new Key(rnd.nextInt(256), rnd.nextInt(), rnd.nextInt(), rnd.nextInt(), rnd.nextInt(256),
                    rnd.nextInt());
        };
    }

    @Test
    void findsEveryKeyPutThroughManyGrowthsAndReplacements() {
        long seed = System.nanoTime();
        System.out.println("VersionIndexTest seed " + seed);
        Random rnd = new Random(seed);
        VersionIndex index = new VersionIndex();
        Map<Key, Versions> model = new HashMap<>();
        for (int i = 0; i < 60_000; i++) {
            Key k = randomKey(rnd);
            Versions v = new Versions(1);
            index.put(k, v);
            model.put(k, v);
            if (i % 997 == 0) {
                assertNull(index.get(new Key(0xFF, -1, -1, -1, 0xFF, -2)), "seed " + seed);
            }
        }
        assertEquals(model.size(), index.size(), "seed " + seed);
        for (Map.Entry<Key, Versions> e : model.entrySet()) {
            assertSame(e.getValue(), index.get(e.getKey()), "seed " + seed + " key " + e.getKey());
        }
        Set<Key> listed = new HashSet<>();
        index.forEach((k, v) -> {
            assertSame(model.get(k), v, "seed " + seed);
            listed.add(k);
        });
        assertEquals(model.keySet(), listed, "seed " + seed);
    }

    @Test
    void aConcurrentReaderFindsEveryKeyPublishedBeforeItLooks() throws Exception {
        long seed = System.nanoTime();
        System.out.println("VersionIndexTest seed " + seed);
        Random rnd = new Random(seed);
        List<Key> keys = new ArrayList<>();
        Set<Key> distinct = new HashSet<>();
        while (keys.size() < 100_000) {
            Key k = randomKey(rnd);
            if (distinct.add(k)) {
                keys.add(k);
            }
        }
        VersionIndex index = new VersionIndex();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        int[] published = new int[1];
        Object lock = new Object();
        Thread reader = new Thread(() -> {
            Random r = new Random(seed + 1);
            try {
                while (true) {
                    int n;
                    synchronized (lock) {
                        n = published[0];
                    }
                    if (n == keys.size()) {
                        return;
                    }
                    for (int i = 0; i < 50 && n > 0; i++) {
                        Key k = keys.get(r.nextInt(n));
                        assertNotNull(index.get(k), "seed " + seed + ": published key " + k + " not found");
                    }
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        reader.start();
        for (int i = 0; i < keys.size(); i++) {
            index.put(keys.get(i), new Versions(1));
            if (i % 64 == 63 || i == keys.size() - 1) {
                synchronized (lock) {
                    published[0] = i + 1;
                }
            }
        }
        reader.join();
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
    }
}

package dev.strata.storage.layer;

import dev.strata.storage.TestSeeds;
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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    /** The key's chain as (lsn, loc, len) triples, newest first. */
    private static List<List<Long>> chain(VersionIndex index, Key k) {
        Versions vs = index.versions();
        List<List<Long>> out = new ArrayList<>();
        for (int e = index.head(k); e != Versions.NONE; e = vs.prev(e)) {
            out.add(List.of(vs.lsn(e), vs.loc(e), (long) vs.len(e)));
        }
        return out;
    }

    @Test
    void chainsEveryVersionOfEveryKeyNewestFirstThroughManyGrowths() {
        long seed = TestSeeds.seed("VersionIndexTest");
        Random rnd = new Random(seed);
        VersionIndex index = new VersionIndex();
        Map<Key, List<List<Long>>> model = new HashMap<>();
        Map<Key, Integer> ordinals = new HashMap<>();
        long lsn = 100;
        for (int i = 0; i < 120_000; i++) {
            Key k = randomKey(rnd);
            lsn += rnd.nextInt(3); // sometimes the same LSN again, as a record putting one key twice does
            long loc = rnd.nextLong() & Long.MAX_VALUE;
            int len = rnd.nextInt(Integer.MAX_VALUE);
            boolean isNew = !model.containsKey(k);
            assertEquals(isNew, index.add(k, lsn, loc, len), "seed " + seed);
            model.computeIfAbsent(k, x -> new ArrayList<>()).add(0, List.of(lsn, loc, (long) len));
            ordinals.putIfAbsent(k, ordinals.size());
            if (i % 997 == 0) {
                assertEquals(Versions.NONE, index.head(new Key(0xFF, -1, -1, -1, 0xFF, -2)), "seed " + seed);
            }
        }
        assertEquals(model.size(), index.size(), "seed " + seed);
        assertEquals(120_000, index.versions().count(), "seed " + seed);
        for (Map.Entry<Key, List<List<Long>>> e : model.entrySet()) {
            assertEquals(e.getValue(), chain(index, e.getKey()), "seed " + seed + " key " + e.getKey());
        }
        Set<Key> listed = new HashSet<>();
        index.forEach((k, head, ordinal) -> {
            assertEquals(index.head(k), head, "seed " + seed);
            assertEquals(ordinals.get(k), ordinal, "seed " + seed + ": ordinal of " + k);
            for (int e = head; e != Versions.NONE; e = index.versions().prev(e)) {
                assertEquals(ordinal, index.versions().ordinal(e), "seed " + seed + ": entry of " + k);
            }
            assertTrue(listed.add(k), "seed " + seed + ": " + k + " listed twice");
        });
        assertEquals(model.keySet(), listed, "seed " + seed);
    }

    @Test
    void aConcurrentReaderSeesWholeChainsOfEveryVersionPublishedBeforeItLooks() throws Exception {
        long seed = TestSeeds.seed("VersionIndexTest");
        Random rnd = new Random(seed);
        List<Key> keys = new ArrayList<>();
        Set<Key> distinct = new HashSet<>();
        while (keys.size() < 20_000) {
            Key k = randomKey(rnd);
            if (distinct.add(k)) {
                keys.add(k);
            }
        }
        // put i puts a version of key (i mod keys) at LSN i + 1; loc names the key, len the version number
        int puts = 200_000;
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
                    if (n == puts) {
                        return;
                    }
                    for (int i = 0; i < 50 && n > 0; i++) {
                        int kidx = r.nextInt(Math.min(n, keys.size()));
                        checkChain(index, keys.get(kidx), kidx, keys.size(), n, seed);
                    }
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        reader.start();
        for (int i = 0; i < puts; i++) {
            int kidx = i % keys.size();
            index.add(keys.get(kidx), i + 1, kidx, i / keys.size());
            if (i % 64 == 63 || i == puts - 1) {
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

    /** Every version among the first {@code published} puts must be on the chain, whole and in order. */
    private static void checkChain(VersionIndex index, Key k, int kidx, int nkeys, int published, long seed) {
        Versions vs = index.versions();
        int expected = (published - 1 - kidx) / nkeys; // the newest published version number of this key
        long lastLsn = Long.MAX_VALUE;
        boolean sawNewest = false;
        int e = index.head(k);
        assertFalse(e == Versions.NONE, "seed " + seed + ": published key " + k + " not found");
        for (; e != Versions.NONE; e = vs.prev(e)) {
            long lsn = vs.lsn(e);
            int version = vs.len(e);
            assertEquals(kidx, vs.loc(e), "seed " + seed + ": another key's entry on the chain of " + k);
            assertEquals((long) version * nkeys + kidx + 1, lsn, "seed " + seed + ": entry of " + k);
            assertTrue(lsn < lastLsn, "seed " + seed + ": chain of " + k + " not LSN-descending");
            lastLsn = lsn;
            if (version <= expected) {
                assertEquals(expected, version, "seed " + seed + ": chain of " + k + " skips a version");
                sawNewest = true;
                expected--;
            }
        }
        assertTrue(sawNewest, "seed " + seed + ": newest published version of " + k + " missing");
        assertEquals(-1, expected, "seed " + seed + ": chain of " + k + " ends early");
    }
}

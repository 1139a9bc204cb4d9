package dev.strata.storage.layer;

import dev.strata.storage.TestSeeds;
import dev.strata.storage.key.Key;
import dev.strata.storage.pg.RelTag;
import dev.strata.storage.value.Value;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

class InMemoryLayerTest {
    @TempDir
    Path dir;

    @Test
    void theFlushPassGivesEveryKeyInOrderWithItsLastValuePerLsnBelowTheFreezePoint() {
        flushPassMatchesTheModel(TailPool.NONE, "InMemoryLayerTest");
    }

    @Test
    void tailsKeptInMemoryUpToThePoolsBudgetReadTheSameAndTheirBuffersAreReused() {
        // a budget below what the layer needs: some tails stay in memory, the rest go to the scratch file
        TailPool pool = new TailPool(40L * InMemoryLayer.TAIL_SIZE);
        flushPassMatchesTheModel(pool, "InMemoryLayerTest.kept");
        long allocated = pool.allocatedBytes();
        assertThat(allocated).isEqualTo(40L * InMemoryLayer.TAIL_SIZE);
        flushPassMatchesTheModel(pool, "InMemoryLayerTest.kept2");
        assertThat(pool.allocatedBytes()).as("the second layer reuses the first one's buffers").isEqualTo(allocated);
    }

    @Test
    void aReaderOfAClosedLayerIsToldToRetryRatherThanGivenBytesFromReusedBuffers() {
        TailPool pool = new TailPool(1L << 20);
        InMemoryLayer layer = new InMemoryLayer(dir.resolve("ephemeral-3"), 100, pool);
        Key k = Key.relBlock(new RelTag(1663, 5, 16384, 0), 7);
        layer.put(k, 108, Value.image(new byte[100]));
        layer.freeze(109, 100);
        layer.closeAndDelete();
        ReconstructState st = new ReconstructState(k);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> layer.collect(st, 0, 108))
                .isInstanceOf(LayerRetiredException.class);
    }

    private void flushPassMatchesTheModel(TailPool pool, String seedName) {
        long seed = TestSeeds.seed(seedName);
        Random rnd = new Random(seed);
        InMemoryLayer layer = new InMemoryLayer(dir.resolve("ephemeral-1"), 100, pool);
        TreeMap<Key, TreeMap<Long, Value>> model = new TreeMap<>();
        long lsn = 100;
        long end = 0;
        for (int i = 0; i < 40_000; i++) {
            lsn += rnd.nextInt(4) == 0 ? 8 : 0; // several values at one LSN, as one record's puts
            if (i == 30_000) {
                lsn += 8;
                end = lsn; // what follows stands for an unfinished record, left out by the flush
            }
            Key k = Key.relBlock(new RelTag(1663, 5, 16384 + rnd.nextInt(4), 0), rnd.nextInt(2000));
            byte[] payload = new byte[rnd.nextInt(20) == 0 ? 8192 : 1 + rnd.nextInt(300)];
            rnd.nextBytes(payload);
            Value v = rnd.nextBoolean() ? Value.image(payload) : Value.pgRecord(payload, rnd.nextBoolean());
            layer.put(k, lsn, v);
            if (end == 0) {
                model.computeIfAbsent(k, x -> new TreeMap<>()).put(lsn, v);
            }
            if (i % 1009 == 0) { // what a concurrent reader sees while the layer is open: the version just put
                ReconstructState st = new ReconstructState(k);
                layer.collect(st, 0, lsn);
                assertThat(st.found()).as("seed %d put %d", seed, i).isTrue();
            }
        }
        layer.freeze(end, end - 16);
        List<Object[]> got = new ArrayList<>();
        layer.forEachVersion((key, keyBytes, at, encoded) -> {
            assertThat(keyBytes).isEqualTo(key.toBytes());
            got.add(new Object[] {key, at, Value.decode(encoded, 0, encoded.length)});
        });
        int i = 0;
        for (Map.Entry<Key, TreeMap<Long, Value>> e : model.entrySet()) {
            for (Map.Entry<Long, Value> v : e.getValue().entrySet()) {
                Object[] g = got.get(i++);
                assertThat(g[0]).as("seed %d version %d", seed, i).isEqualTo(e.getKey());
                assertThat(g[1]).as("seed %d version %d", seed, i).isEqualTo(v.getKey());
                assertThat(g[2]).as("seed %d version %d", seed, i).isEqualTo(v.getValue());
            }
        }
        assertThat(got).as("seed %d", seed).hasSize(i);
        layer.closeAndDelete();
        assertThat(dir.resolve("ephemeral-1")).doesNotExist();
    }
}

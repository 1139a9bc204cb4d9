package dev.strata.storage.layer;

import dev.strata.storage.io.DurableFiles;
import dev.strata.storage.io.FaultInjector;
import dev.strata.storage.key.Key;
import dev.strata.storage.key.KeyRange;
import dev.strata.storage.value.Value;
import dev.strata.storage.value.VersionedValue;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Delta files with clustered leaves (format version 2) answer every read, key listing and compaction scan exactly
 * like the same versions written with fixed leaves (version 1), for seeded mixes of small (inline), boundary and
 * large (stream) values, keys with one to hundreds of versions, and indexes of one to three levels.
 * {@code -Dstrata.seed=N} replays one seed.
 */
class ClusteredDeltaLayerTest {
    @TempDir
    Path dir;

    private final DurableFiles files = new DurableFiles(FaultInjector.NONE);
    private final LayerFiles cache = LayerFiles.of(4 << 20, 64);

    static LongStream seeds() {
        String one = System.getProperty("strata.seed");
        return one != null ? LongStream.of(Long.parseLong(one)) : LongStream.of(11, 12, 13);
    }

    private static Key key(int i) {
        return new Key(0, 1663, 5, 16384 + i / 5000, 0, i % 5000);
    }

    /** One version: key index, LSN, value. */
    private record Version(int key, long lsn, Value value) {
    }

    private static Value randomValue(Random rnd, boolean first) {
        int r = rnd.nextInt(100);
        int size = r < 80 ? rnd.nextInt(300) : r < 90 ? DeltaLayerWriter.INLINE_MAX - 4 + rnd.nextInt(6)
                : 2100 + rnd.nextInt(9000);
        byte[] p = new byte[size];
        rnd.nextBytes(p);
        if (first && rnd.nextInt(3) == 0) {
            return Value.image(p);
        }
        return rnd.nextInt(8) == 0 ? Value.pgRecord(p, true) : Value.pgRecord(p, false);
    }

    private static List<Version> versions(Random rnd, int keys, int maxVersions) {
        List<Version> out = new ArrayList<>();
        for (int k = 0; k < keys; k++) {
            int n = rnd.nextInt(20) == 0 ? maxVersions : 1 + rnd.nextInt(12);
            long lsn = 1000 + rnd.nextInt(50);
            for (int v = 0; v < n; v++) {
                out.add(new Version(k * 3, lsn, randomValue(rnd, v == 0)));
                lsn += 1 + rnd.nextInt(40);
            }
        }
        return out;
    }

    private DeltaLayer write(Path in, List<Version> vs, boolean clustered) {
        try (DeltaLayerWriter w = new DeltaLayerWriter(in, files, clustered, false, clustered)) {
            for (Version v : vs) {
                w.add(key(v.key()), v.lsn(), v.value());
            }
            return w.finish(KeyRange.ALL, 1000, 1_000_000, cache);
        }
    }

    private static String answer(ReconstructState st) {
        StringBuilder sb = new StringBuilder().append(st.complete()).append(Arrays.toString(st.image()));
        for (VersionedValue v : st.recordsNewestFirst()) {
            sb.append('|').append(v.lsn()).append(v.value()).append(Arrays.hashCode(v.value().payload()));
        }
        return sb.toString();
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void clusteredLeavesAnswerEveryReadScanAndListingLikeFixedLeaves(long seed) throws Exception {
        System.out.println("ClusteredDeltaLayerTest seed " + seed + " (replay with -Dstrata.seed=" + seed + ")");
        Random rnd = new Random(seed);
        List<Version> vs = versions(rnd, 1500, 400);
        try (DeltaLayer v1 = write(Files.createDirectory(dir.resolve("v1")), vs, false);
             DeltaLayer v2 = write(Files.createDirectory(dir.resolve("v2")), vs, true)) {
            assertThat(v2.reader.summary().version()).isEqualTo(LayerFileFormat.CLUSTERED_VERSION);
            assertThat(v1.reader.summary().version()).isEqualTo(LayerFileFormat.VERSION);
            assertThat(v2.entryCount()).isEqualTo(vs.size());
            ReconstructState.Scan scan = new ReconstructState.Scan();
            for (int q = 0; q < 6000; q++) {
                Version at = vs.get(rnd.nextInt(vs.size()));
                int k = rnd.nextInt(8) == 0 ? at.key() + 1 : at.key(); // sometimes a key the file lacks
                long upto = at.lsn() + rnd.nextInt(3) - 1;
                long floor = rnd.nextInt(4) == 0 ? upto - rnd.nextInt(200) : 0;
                ReconstructState a = new ReconstructState(key(k));
                v1.collect(a, floor, upto);
                ReconstructState b = new ReconstructState(key(k));
                v2.collect(b, floor, upto);
                assertThat(answer(b)).as("key %s at %s floor %s", k, upto, floor).isEqualTo(answer(a));
                ReconstructState c = new ReconstructState(key(k), scan);
                v2.collect(c, floor, upto);
                assertThat(answer(c)).isEqualTo(answer(a));
            }
            for (int q = 0; q < 50; q++) {
                int s = rnd.nextInt(4600);
                KeyRange r = new KeyRange(key(s), key(s + 1 + rnd.nextInt(300)));
                long lsn = 1000 + rnd.nextInt(600);
                List<Key> a = new ArrayList<>();
                v1.forEachKey(r, lsn, a::add);
                List<Key> b = new ArrayList<>();
                v2.forEachKey(r, lsn, b::add);
                assertThat(b).isEqualTo(a);
            }
            DeltaLayer.Cursor ca = v1.cursor();
            DeltaLayer.Cursor cb = v2.cursor();
            int n = 0;
            while (ca.next()) {
                assertThat(cb.next()).isTrue();
                assertThat(cb.key()).isEqualTo(ca.key());
                assertThat(cb.lsn()).isEqualTo(ca.lsn());
                assertThat(cb.willInit()).isEqualTo(ca.willInit());
                assertThat(cb.rawValue()).isEqualTo(ca.rawValue());
                n++;
            }
            assertThat(cb.next()).isFalse();
            assertThat(cb.next()).isFalse();
            assertThat(n).isEqualTo(vs.size());
        }
    }

    @Test
    void aKeysSmallVersionsShareOneLeafBlockAndTheRootSpansBlocksInMemory() throws Exception {
        // 18 keys of 10 small records fit in an 8 KiB leaf block: 12,000 keys make about 670 leaf blocks, whose
        // fences need a root of 3 blocks (two levels); 40,000 keys make about 2,220, too many for a root of
        // ROOT_MAX_BLOCKS blocks (three levels).
        checkSmallVersions(Files.createDirectory(dir.resolve("two")), 12_000, 2);
        checkSmallVersions(Files.createDirectory(dir.resolve("three")), 40_000, 3);
    }

    private void checkSmallVersions(Path in, int keys, int expectedLevels) {
        List<Version> vs = new ArrayList<>();
        Random rnd = new Random(5);
        for (int k = 0; k < keys; k++) {
            for (int v = 0; v < 10; v++) {
                byte[] p = new byte[20];
                rnd.nextBytes(p);
                vs.add(new Version(k, 1000 + v, v == 0 ? Value.image(p) : Value.pgRecord(p, false)));
            }
        }
        try (DeltaLayer l = write(in, vs, true)) {
            LayerFileFormat.Level[] levels = l.reader.summary().levels();
            assertThat(levels).hasSize(expectedLevels);
            if (expectedLevels == 2) {
                assertThat(levels[1].entries()).isGreaterThan(PAYLOAD_FENCES);
            }
            for (int k = 0; k < keys; k += 97) {
                ReconstructState st = new ReconstructState(key(k));
                l.collect(st, 0, 1009);
                assertThat(st.recordsNewestFirst()).hasSize(9);
                assertThat(st.image()).isNotNull();
                long found = l.reader.search(probe(k, 1009), l.reader::block);
                long first = l.reader.search(probe(k, 1000), l.reader::block);
                assertThat(found >>> 16).as("leaf block of key %s", k).isEqualTo(first >>> 16);
            }
        }
    }

    private static final long PAYLOAD_FENCES = LayerFileFormat.PAYLOAD / DeltaLayer.FENCE_WIDTH;

    private static byte[] probe(int k, long lsn) {
        byte[] t = new byte[DeltaLayer.FENCE_WIDTH];
        System.arraycopy(key(k).toBytes(), 0, t, 0, Key.SIZE);
        Bytes.putLong(t, Key.SIZE, lsn);
        return t;
    }

    @Test
    void aFileOfAnUnknownFormatVersionIsRefusedNamingTheFileAndTheVersion() throws Exception {
        List<Version> vs = List.of(new Version(1, 1000, Value.image(new byte[]{1})));
        Path file;
        try (DeltaLayer l = write(dir, vs, true)) {
            file = l.path();
        }
        for (int version : new int[]{3, 0}) {
            byte[] block0 = new byte[LayerFileFormat.BLOCK_SIZE];
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file,
                    java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE)) {
                ch.read(java.nio.ByteBuffer.wrap(block0), 0);
                block0[4] = 0;
                block0[5] = (byte) version;
                LayerFileFormat.seal(0, block0); // a well-formed block 0 of another version
                ch.write(java.nio.ByteBuffer.wrap(block0), 0);
            }
            LayerName name = LayerName.parse(file.getFileName().toString());
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> DeltaLayer.open(dir, name,
                            LayerFiles.of(1 << 20, 8)))
                    .isInstanceOf(dev.strata.storage.CorruptionException.class)
                    .hasMessageContaining(file.getFileName().toString())
                    .hasMessageContaining("format version " + version + " is not supported");
        }
    }

    @Test
    void aClusteredFileWithOneLeafBlockIsItsOwnRoot() {
        List<Version> vs = List.of(new Version(1, 1000, Value.image(new byte[]{1, 2})),
                new Version(1, 1001, Value.pgRecord(new byte[9000], false)),
                new Version(2, 1000, Value.pgRecord(new byte[]{3}, true)));
        try (DeltaLayer l = write(dir, vs, true)) {
            assertThat(l.reader.summary().levels()).hasSize(1);
            ReconstructState st = new ReconstructState(key(1));
            l.collect(st, 0, 5000);
            assertThat(st.image()).containsExactly(1, 2);
            assertThat(st.recordsNewestFirst()).hasSize(1);
            assertThat(st.recordsNewestFirst().get(0).value().payload()).hasSize(9000);
            ReconstructState none = new ReconstructState(key(0));
            l.collect(none, 0, 5000);
            assertThat(none.found()).isFalse();
        }
    }
}

package dev.strata.storage.layer;

import dev.strata.storage.io.DurableFiles;
import dev.strata.storage.io.FaultInjector;
import dev.strata.storage.key.Key;
import dev.strata.storage.key.KeyRange;
import dev.strata.storage.value.Value;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class LayerFileRoundTripTest {
    @TempDir
    Path dir;

    private final DurableFiles files = new DurableFiles(FaultInjector.NONE);
    private final LayerFiles cache = LayerFiles.of(8 << 20, 64);

    private static Key key(int i) {
        return new Key(0, 1663, 5, 16384 + i / 1000, 0, i % 1000);
    }

    @Test
    void deltaLayerWithAThreeLevelIndexFindsEveryVersionAndStopsAtWillInit() {
        int keys = 40_000;
        DeltaLayer layer;
        try (DeltaLayerWriter w = new DeltaLayerWriter(dir, files)) {
            for (int i = 0; i < keys; i++) {
                w.add(key(i), 100, Value.image(new byte[]{(byte) i, 1}));
                w.add(key(i), 200, Value.pgRecord(new byte[]{(byte) i, 2}, false));
                w.add(key(i), 300, Value.pgRecord(new byte[]{(byte) i, 3}, i % 2 == 0));
            }
            layer = w.finish(KeyRange.ALL, 100, 301, cache);
        }
        try (layer) {
            assertThat(layer.entryCount()).isEqualTo(3L * keys);
            assertThat(layer.reader.summary().levels()).hasSize(3);
            assertThat(layer.isL0()).isTrue();
            for (int i = 0; i < keys; i += 7) {
                ReconstructState st = new ReconstructState(key(i));
                layer.collect(st, 0, 299);
                assertThat(st.complete()).isTrue();
                assertThat(st.image()).containsExactly((byte) i, 1);
                assertThat(st.recordsNewestFirst()).hasSize(1);
                ReconstructState top = new ReconstructState(key(i));
                layer.collect(top, 0, 1000);
                assertThat(top.recordsNewestFirst()).hasSize(i % 2 == 0 ? 1 : 2);
                ReconstructState floor = new ReconstructState(key(i));
                layer.collect(floor, 250, 1000);
                assertThat(floor.recordsNewestFirst()).hasSize(1);
            }
            ReconstructState missing = new ReconstructState(new Key(0, 1663, 5, 1, 0, 0));
            layer.collect(missing, 0, 1000);
            assertThat(missing.found()).isFalse();
            List<Key> seen = new ArrayList<>();
            layer.forEachKey(new KeyRange(key(10), key(20)), 150, seen::add);
            assertThat(seen).hasSize(10).first().isEqualTo(key(10));
            List<Key> none = new ArrayList<>();
            layer.forEachKey(KeyRange.ALL, 99, none::add);
            assertThat(none).isEmpty();
        }
    }

    @Test
    void imageLayerHoldsEachKeyOnceAndReportsAbsentKeysAsNotExisting() throws Exception {
        ImageLayer layer;
        byte[] page = new byte[8192];
        try (ImageLayerWriter w = new ImageLayerWriter(dir, files)) {
            for (int i = 0; i < 3000; i += 2) {
                page[0] = (byte) i;
                page[8191] = (byte) (i >> 8);
                w.add(key(i), page.clone());
            }
            layer = w.finish(new KeyRange(key(0), key(3000)), 500, cache);
        }
        try (layer) {
            assertThat(Files.size(layer.path()) % LayerFileFormat.BLOCK_SIZE).isZero();
            for (int i = 0; i < 3000; i++) {
                ReconstructState st = new ReconstructState(key(i));
                layer.collect(st, 500, 500);
                assertThat(st.complete()).isTrue();
                if (i % 2 == 0) {
                    assertThat(st.image()).hasSize(8192);
                    assertThat(st.image()[0]).isEqualTo((byte) i);
                    assertThat(st.image()[8191]).isEqualTo((byte) (i >> 8));
                } else {
                    assertThat(st.found()).isFalse();
                }
            }
            List<Key> seen = new ArrayList<>();
            layer.forEachKey(new KeyRange(key(3), key(9)), 500, seen::add);
            assertThat(seen).containsExactly(key(4), key(6), key(8));
        }
    }

    /** 300 pages: more than the two 512 KiB buffers that circulate between a writer and its write-behind thread. */
    private ImageLayer imageOf300Pages(Path in, DurableFiles df, boolean writeBehind) {
        byte[] page = new byte[8192];
        try (ImageLayerWriter w = new ImageLayerWriter(in, df, writeBehind, true)) {
            for (int i = 0; i < 300; i++) {
                java.util.Arrays.fill(page, (byte) i);
                w.add(key(i), page);
            }
            return w.finish(new KeyRange(key(0), key(300)), 500, cache);
        }
    }

    @Test
    void writeBehindWritesTheSameBytesAsWritingInline() throws Exception {
        Path inline = Files.createDirectory(dir.resolve("inline"));
        Path behind = Files.createDirectory(dir.resolve("behind"));
        try (ImageLayer a = imageOf300Pages(inline, files, false);
             ImageLayer b = imageOf300Pages(behind, files, true)) {
            assertThat(Files.readAllBytes(b.path())).isEqualTo(Files.readAllBytes(a.path()));
            ReconstructState st = new ReconstructState(key(299));
            b.collect(st, 500, 500);
            assertThat(st.image()).hasSize(8192).containsOnly((byte) 299);
        }
    }

    @Test
    void aWriteRefusedOnTheWriteBehindThreadFailsTheWriterWhichLeavesNoFile() throws Exception {
        java.util.concurrent.atomic.AtomicInteger writes = new java.util.concurrent.atomic.AtomicInteger();
        DurableFiles failing = new DurableFiles(point -> {
            if (point.equals("layer.write") && writes.incrementAndGet() == 2) {
                throw new IllegalStateException("disk full at the second write");
            }
        });
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> imageOf300Pages(dir, failing, true))
                .hasMessageContaining("disk full at the second write");
        try (var left = Files.list(dir)) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void aScanFindsTheSameVersionsAsReadsThroughThePageCache() {
        DeltaLayer layer;
        try (DeltaLayerWriter w = new DeltaLayerWriter(dir, files, true, false)) {
            for (int i = 0; i < 2000; i++) {
                w.add(key(i), 100, Value.image(new byte[300 + i % 7]));
                for (int r = 1; r <= i % 5; r++) {
                    w.add(key(i), 100 + r, Value.pgRecord(new byte[]{(byte) i, (byte) r}, false));
                }
            }
            layer = w.finish(KeyRange.ALL, 100, 200, cache);
        }
        try (layer) {
            ReconstructState.Scan scan = new ReconstructState.Scan();
            for (int i = 0; i < 2000; i++) {
                ReconstructState cached = new ReconstructState(key(i));
                layer.collect(cached, 0, 199);
                ReconstructState scanned = new ReconstructState(key(i), scan);
                layer.collect(scanned, 0, 199);
                assertThat(scanned.image()).isEqualTo(cached.image()).hasSize(300 + i % 7);
                assertThat(scanned.recordsNewestFirst()).isEqualTo(cached.recordsNewestFirst()).hasSize(i % 5);
                if (i % 5 > 0) {
                    assertThat(scanned.recordsNewestFirst().get(0).lsn()).isEqualTo(100 + i % 5);
                    assertThat(scanned.recordsOldestFirst().get(0).lsn()).isEqualTo(101);
                }
            }
        }
    }

    @Test
    void layerNamesRoundTrip() {
        LayerName d = LayerName.delta(KeyRange.ALL, 0x1696070L, 0x16960E9L);
        assertThat(d.fileName()).isEqualTo("000000000000000000000000000000000000-FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"
                + "__0000000001696070-00000000016960E9");
        assertThat(LayerName.parse(d.fileName())).isEqualTo(d);
        assertThat(d.isL0()).isTrue();
        LayerName i = LayerName.image(new KeyRange(key(1), key(2)), 77);
        assertThat(LayerName.parse(i.fileName())).isEqualTo(i);
        assertThat(LayerName.parse("metadata")).isNull();
        assertThat(LayerName.parse(d.fileName() + ".___temp")).isNull();
    }
}

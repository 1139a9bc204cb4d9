package dev.strata.storage.layer;

import dev.strata.storage.CorruptionException;
import dev.strata.storage.io.DurableFiles;
import dev.strata.storage.io.FaultInjector;
import dev.strata.storage.key.Key;
import dev.strata.storage.key.KeyRange;
import dev.strata.storage.value.Value;
import dev.strata.storage.value.VersionedValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Flips bytes of layer files (every byte of the summary block, every CRC, and a seeded sample of the rest) and reads
 * every version of every key after each flip: each read returns exactly what the intact file returned or fails with
 * a {@link CorruptionException} naming the file and an offset, and at least one read fails for every flip.
 */
class LayerCorruptionTest {
    @TempDir
    Path dir;

    private final DurableFiles files = new DurableFiles(FaultInjector.NONE);

    private static Key key(int i) {
        return new Key(0, 1663, 5, 16384, 0, i);
    }

    /** One query's answer, comparable across runs. */
    private record Answer(boolean complete, String image, List<String> records) {
    }

    private static String hex(byte[] b) {
        return b == null ? null : Arrays.toString(b);
    }

    private static Answer answer(ReconstructState st) {
        List<String> recs = new ArrayList<>();
        for (VersionedValue v : st.recordsNewestFirst()) {
            recs.add(v.lsn() + ":" + v.value() + ":" + hex(v.value().payload()));
        }
        return new Answer(st.complete(), hex(st.image()), recs);
    }

    /** The answer of one read, or null when it failed with a corruption error naming the file and an offset. */
    private static Answer query(java.util.function.Supplier<ReconstructState> read, Path file) {
        try {
            return answer(read.get());
        } catch (CorruptionException e) {
            assertThat(e.getMessage()).contains(file.getFileName().toString()).contains("offset");
            return null;
        }
    }

    @Test
    void everyFlippedByteOfADeltaLayerIsACorruptionErrorNeverAWrongVersion() throws IOException {
        flipDeltaLayer(false, 7);
    }

    /** The clustered layout (format version 2): entries and inline values share leaf blocks. */
    @Test
    void everyFlippedByteOfAClusteredDeltaLayerIsACorruptionErrorNeverAWrongVersion() throws IOException {
        flipDeltaLayer(true, 9);
    }

    private void flipDeltaLayer(boolean clustered, long seed) throws IOException {
        System.out.println("LayerCorruptionTest delta layer, clustered " + clustered + ", seed " + seed);
        Random rnd = new Random(seed);
        List<long[]> versions = new ArrayList<>();
        DeltaLayer layer;
        try (DeltaLayerWriter w = new DeltaLayerWriter(dir, files, false, false, clustered)) {
            for (int k = 0; k < 120; k++) {
                for (int v = 0; v < 3; v++) {
                    long lsn = 100 + 10L * v;
                    byte[] payload = new byte[k % 17 == 0 ? 8192 : k % 13 == 0 ? 1500 : 1 + rnd.nextInt(60)];
                    rnd.nextBytes(payload);
                    w.add(key(k), lsn, v == 0 ? Value.image(payload) : Value.pgRecord(payload, k % 5 == 0));
                    versions.add(new long[]{k, lsn});
                }
            }
            layer = w.finish(KeyRange.ALL, 100, 200, LayerFiles.of(1 << 20, 64));
        }
        assertThat(layer.reader.summary().version()).isEqualTo(clustered ? LayerFileFormat.CLUSTERED_VERSION
                : LayerFileFormat.VERSION);
        Path file = layer.path();
        layer.close();
        LayerName name = LayerName.parse(file.getFileName().toString());
        Function<LayerFiles, List<Answer>> readAll = cache -> {
            List<Answer> out = new ArrayList<>();
            try (DeltaLayer l = DeltaLayer.open(dir, name, cache)) {
                for (long[] kv : versions) {
                    out.add(query(() -> {
                        ReconstructState st = new ReconstructState(key((int) kv[0]));
                        l.collect(st, kv[1], kv[1]);
                        return st;
                    }, file));
                }
            }
            return out;
        };
        flipAndCheck(file, readAll);
    }

    @Test
    void everyFlippedByteOfAnImageLayerIsACorruptionErrorNeverAWrongPage() throws IOException {
        Random rnd = new Random(8);
        ImageLayer layer;
        try (ImageLayerWriter w = new ImageLayerWriter(dir, files)) {
            for (int k = 0; k < 400; k += 2) {
                byte[] page = new byte[k % 10 == 0 ? 8192 : 4];
                rnd.nextBytes(page);
                w.add(key(k), page);
            }
            layer = w.finish(new KeyRange(key(0), key(400)), 500, LayerFiles.of(1 << 20, 64));
        }
        Path file = layer.path();
        layer.close();
        LayerName name = LayerName.parse(file.getFileName().toString());
        Function<LayerFiles, List<Answer>> readAll = cache -> {
            List<Answer> out = new ArrayList<>();
            try (ImageLayer l = ImageLayer.open(dir, name, cache)) {
                for (int k = 0; k < 400; k++) {
                    int kk = k;
                    out.add(query(() -> {
                        ReconstructState st = new ReconstructState(key(kk));
                        l.collect(st, 500, 500);
                        return st;
                    }, file));
                }
            }
            return out;
        };
        flipAndCheck(file, readAll);
    }

    /** Flips each sampled byte in turn; reads with a fresh cache after each flip; restores the byte. */
    private void flipAndCheck(Path file, Function<LayerFiles, List<Answer>> readAll) throws IOException {
        List<Answer> intact = readAll.apply(LayerFiles.of(1 << 20, 64));
        long size = Files.size(file);
        TreeSet<Long> positions = new TreeSet<>();
        for (long p = 0; p < 160; p++) {
            positions.add(p); // the summary's fields
        }
        for (long b = 0; b < size / LayerFileFormat.BLOCK_SIZE; b++) {
            for (int i = 1; i <= 4; i++) {
                positions.add((b + 1) * LayerFileFormat.BLOCK_SIZE - i); // every block's CRC
            }
            positions.add(b * LayerFileFormat.BLOCK_SIZE + 5000); // padding or data deep inside each block
        }
        Random rnd = new Random(size);
        while (positions.size() < 700) {
            positions.add((long) rnd.nextInt((int) size));
        }
        String fileName = file.getFileName().toString();
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            for (long pos : positions) {
                raf.seek(pos);
                int orig = raf.read();
                raf.seek(pos);
                raf.write(orig ^ (1 << rnd.nextInt(8)));
                try {
                    int failures = 0;
                    List<Answer> got;
                    try {
                        got = readAll.apply(LayerFiles.of(1 << 20, 64));
                    } catch (CorruptionException e) {
                        assertThat(e.getMessage()).contains(fileName).contains("offset");
                        continue;
                    }
                    assertThat(got).hasSameSizeAs(intact);
                    failures += compare(got, intact, pos);
                    assertThat(failures).as("reads failing after flipping byte %s", pos).isPositive();
                } finally {
                    raf.seek(pos);
                    raf.write(orig);
                }
            }
        }
    }

    private static int compare(List<Answer> got, List<Answer> intact, long pos) {
        int failures = 0;
        for (int i = 0; i < got.size(); i++) {
            if (got.get(i) == null) {
                failures++;
            } else {
                assertThat(got.get(i)).as("read %s after flipping byte %s", i, pos).isEqualTo(intact.get(i));
            }
        }
        return failures;
    }
}

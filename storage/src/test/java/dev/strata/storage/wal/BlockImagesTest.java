package dev.strata.storage.wal;

import dev.strata.storage.TestSeeds;
import com.github.luben.zstd.Zstd;
import net.jpountz.lz4.LZ4Factory;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BlockImagesTest {
    private static final int[] REL = {1663, 5, 16384};
    private static final int HOLE_OFFSET = 120;
    private static final int HOLE_LENGTH = 6000;

    /** A page shaped like a heap page: header and line pointers, a hole, tuples at the end. */
    private static byte[] page(Random rnd) {
        byte[] p = new byte[8192];
        for (int i = 0; i < HOLE_OFFSET; i++) {
            p[i] = (byte) rnd.nextInt(4);
        }
        for (int i = HOLE_OFFSET + HOLE_LENGTH; i < 8192; i++) {
            p[i] = (byte) (i % 7 == 0 ? rnd.nextInt(256) : i / 64);
        }
        return p;
    }

    private static byte[] withoutHole(byte[] page) {
        byte[] out = new byte[8192 - HOLE_LENGTH];
        System.arraycopy(page, 0, out, 0, HOLE_OFFSET);
        System.arraycopy(page, HOLE_OFFSET + HOLE_LENGTH, out, HOLE_OFFSET, 8192 - HOLE_OFFSET - HOLE_LENGTH);
        return out;
    }

    private static DecodedRecord imageRecord(byte[] stored, int holeOffset, int bimgInfo, int holeLength) {
        byte[] raw = RecordBytes.record(0, 0xB0).blockWithImage(0, 0, REL, 3, stored, holeOffset, bimgInfo, holeLength,
                new byte[0]).build();
        return RecordDecoder.decode(raw, 0x1000028L, 0x1000028L + raw.length);
    }

    @Test
    void restores_an_uncompressed_image_with_its_hole_zeroed() {
        byte[] page = page(new Random(1));
        DecodedRecord r = imageRecord(withoutHole(page), HOLE_OFFSET, 0x03, 0);
        assertThat(BlockImages.restore(r, r.block(0))).isEqualTo(page);
    }

    @Test
    void restores_a_whole_page_image_without_hole() {
        byte[] page = page(new Random(2));
        page[HOLE_OFFSET + 10] = 99;
        DecodedRecord r = imageRecord(page, 0, 0x02, 0);
        assertThat(BlockImages.restore(r, r.block(0))).isEqualTo(page);
    }

    @Test
    void restores_pglz_lz4_and_zstd_images() {
        long seed = TestSeeds.seed("BlockImagesTest");
        byte[] page = page(new Random(seed));
        byte[] stored = withoutHole(page);
        byte[] pglz = PglzTestEncoder.compress(stored);
        byte[] lz4 = LZ4Factory.fastestInstance().fastCompressor().compress(stored);
        byte[] zstd = Zstd.compress(stored);
        for (Object[] c : new Object[][]{{pglz, 0x07}, {lz4, 0x0B}, {zstd, 0x13}}) {
            DecodedRecord r = imageRecord((byte[]) c[0], HOLE_OFFSET, (int) c[1], HOLE_LENGTH);
            assertThat(BlockImages.restore(r, r.block(0))).as("bimg_info %s", c[1]).isEqualTo(page);
        }
    }

    @Test
    void restores_compressed_images_without_hole() {
        byte[] page = page(new Random(3));
        DecodedRecord r = imageRecord(Zstd.compress(page), 0, 0x12, 0);
        assertThat(BlockImages.restore(r, r.block(0))).isEqualTo(page);
    }

    @Test
    void pglz_repeats_overlapping_matches() {
        // literals "ab", then a match of length 7 at offset 2: "ababababa"
        byte[] src = {(byte) 0b100, 'a', 'b', 0x04, 0x02};
        byte[] out = new byte[9];
        assertThat(Pglz.decompress(src, 0, src.length, out, 0, 9, true)).isEqualTo(9);
        assertThat(new String(out, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("ababababa");
    }

    @Test
    void pglz_round_trips_random_pages() {
        long seed = TestSeeds.seed("pglz round trip");
        Random rnd = new Random(seed);
        for (int i = 0; i < 20; i++) {
            byte[] data = new byte[1 + rnd.nextInt(8192)];
            int alphabet = 1 + rnd.nextInt(255);
            for (int j = 0; j < data.length; j++) {
                data[j] = rnd.nextInt(4) == 0 ? (byte) rnd.nextInt(alphabet) : (j > 0 ? data[j - 1] : 0);
            }
            byte[] c = PglzTestEncoder.compress(data);
            byte[] out = new byte[data.length];
            assertThat(Pglz.decompress(c, 0, c.length, out, 0, data.length, true)).isEqualTo(data.length);
            assertThat(out).isEqualTo(data);
        }
    }

    @Test
    void pglz_rejects_offsets_before_the_start_and_truncated_tags() {
        byte[] out = new byte[16];
        assertThat(Pglz.decompress(new byte[]{1, 0x01, 0x05}, 0, 3, out, 0, 16, false)).isEqualTo(-1);
        assertThat(Pglz.decompress(new byte[]{1, 0x00, 0x00}, 0, 3, out, 0, 16, false)).isEqualTo(-1);
        assertThat(Pglz.decompress(new byte[]{2, 'a', 0x01}, 0, 3, out, 0, 16, false)).isEqualTo(-1);
        assertThat(Pglz.decompress(new byte[]{0, 'a'}, 0, 2, out, 0, 16, true)).isEqualTo(-1);
    }

    @Test
    void a_compressed_image_of_the_wrong_size_is_an_error_naming_the_lsn() {
        byte[] page = page(new Random(4));
        byte[] stored = withoutHole(page);
        byte[] tooShort = Arrays.copyOf(stored, stored.length - 8);
        for (Object[] c : new Object[][]{{PglzTestEncoder.compress(tooShort), 0x07, "pglz"},
                {LZ4Factory.fastestInstance().fastCompressor().compress(tooShort), 0x0B, "lz4"},
                {Zstd.compress(tooShort), 0x13, "zstd"}}) {
            DecodedRecord r = imageRecord((byte[]) c[0], HOLE_OFFSET, (int) c[1], HOLE_LENGTH);
            assertThatThrownBy(() -> BlockImages.restore(r, r.block(0))).isInstanceOf(WalFormatException.class)
                    .hasMessageContaining("0/1000028").hasMessageContaining((String) c[2]);
        }
    }

    @Test
    void corrupt_compressed_images_are_errors() {
        byte[] stored = withoutHole(page(new Random(5)));
        byte[] lz4 = LZ4Factory.fastestInstance().fastCompressor().compress(stored);
        lz4[lz4.length / 2] ^= (byte) 0xFF;
        lz4[1] = (byte) 0xFF;
        DecodedRecord r = imageRecord(lz4, HOLE_OFFSET, 0x0B, HOLE_LENGTH);
        assertThatThrownBy(() -> BlockImages.restore(r, r.block(0))).isInstanceOf(WalFormatException.class);
        byte[] zstd = Zstd.compress(stored);
        zstd[0] ^= 0x55;
        DecodedRecord z = imageRecord(zstd, HOLE_OFFSET, 0x13, HOLE_LENGTH);
        assertThatThrownBy(() -> BlockImages.restore(z, z.block(0))).hasMessageContaining("zstd");
    }

    @Test
    void a_hole_outside_the_page_is_an_error() {
        DecodedRecord r = imageRecord(new byte[100], 8150, 0x07, 100);
        assertThatThrownBy(() -> BlockImages.restore(r, r.block(0))).hasMessageContaining("outside the 8192-byte page");
    }

    @Test
    void a_block_without_image_cannot_be_restored() {
        byte[] raw = RecordBytes.record(10, 0).block(0, 0, REL, 1, new byte[]{1}).build();
        DecodedRecord r = RecordDecoder.decode(raw, 0x2000L, 0x2040L);
        assertThatThrownBy(() -> BlockImages.restore(r, r.block(0))).hasMessageContaining("has no image");
    }
}

package dev.strata.storage.wal;

import dev.strata.storage.pg.RelTag;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RecordDecoderTest {
    private static final int[] REL = {1663, 5, 16384};
    private static final long LSN = 0x155E248L;

    private static DecodedRecord decode(byte[] raw) {
        return RecordDecoder.decode(raw, LSN, LSN + ((raw.length + 7) & ~7));
    }

    @Test
    void decodes_header_fields_blocks_and_main_data() {
        byte[] raw = RecordBytes.record(10, 0x80).xid(735).prev(0x155E210L)
                .block(0, 0, REL, 7, new byte[]{1, 2, 3})
                .block(2, 2, null, 0xFFFFFFFE, new byte[0])
                .mainData(new byte[]{9, 8})
                .build();
        DecodedRecord r = decode(raw);
        assertThat(r.totalLength()).isEqualTo(raw.length);
        assertThat(r.xid()).isEqualTo(735);
        assertThat(r.prev()).isEqualTo(0x155E210L);
        assertThat(r.rmid()).isEqualTo(10);
        assertThat(r.rmgrInfo()).isEqualTo(0x80);
        assertThat(r.maxBlockId()).isEqualTo(2);
        assertThat(r.hasBlock(1)).isFalse();
        BlockRef b0 = r.block(0);
        assertThat(b0.rel()).isEqualTo(new RelTag(1663, 5, 16384, 0));
        assertThat(b0.blkno()).isEqualTo(7);
        assertThat(b0.hasData()).isTrue();
        assertThat(r.blockData(0)).isEqualTo(ByteBuffer.wrap(new byte[]{1, 2, 3}));
        BlockRef b2 = r.block(2);
        assertThat(b2.rel()).isEqualTo(new RelTag(1663, 5, 16384, 2));
        assertThat(Integer.toUnsignedLong(b2.blkno())).isEqualTo(0xFFFFFFFEL);
        assertThat(b2.hasData()).isFalse();
        assertThat(b2.dataOffset()).isEqualTo(-1);
        assertThat(r.mainDataLength()).isEqualTo(2);
        assertThat(r.mainData().get(0)).isEqualTo((byte) 9);
        assertThat(r.originId()).isZero();
        assertThat(r.toplevelXid()).isZero();
        assertThat(RecordDecoder.crcMatches(raw)).isTrue();
    }

    @Test
    void decodes_origin_toplevel_xid_and_long_main_data() {
        byte[] main = new byte[300];
        main[299] = 42;
        DecodedRecord r = decode(RecordBytes.record(1, 0).origin(7).toplevelXid(1234).mainData(main).build());
        assertThat(r.originId()).isEqualTo(7);
        assertThat(r.toplevelXid()).isEqualTo(1234);
        assertThat(r.maxBlockId()).isEqualTo(-1);
        assertThat(r.block(0)).isNull();
        assertThat(r.mainDataLength()).isEqualTo(300);
        assertThat(r.mainData().get(299)).isEqualTo((byte) 42);
    }

    @Test
    void places_image_then_data_per_block_before_main_data() {
        byte[] image = filled(8192 - 100, (byte) 5);
        byte[] raw = RecordBytes.record(10, 0)
                .blockWithImage(0, 0, REL, 1, image, 200, 0x03, 0, new byte[]{7, 7})
                .block(1, 0, null, 2, new byte[]{6})
                .mainData(new byte[]{1})
                .build();
        DecodedRecord r = decode(raw);
        BlockRef b0 = r.block(0);
        assertThat(b0.hasImage()).isTrue();
        assertThat(b0.applyImage()).isTrue();
        assertThat(b0.imageLength()).isEqualTo(8092);
        assertThat(b0.holeOffset()).isEqualTo(200);
        assertThat(b0.holeLength()).isEqualTo(100);
        assertThat(b0.dataOffset()).isEqualTo(b0.imageOffset() + 8092);
        assertThat(r.block(1).dataOffset()).isEqualTo(b0.dataOffset() + 2);
        assertThat(r.mainDataOffset()).isEqualTo(raw.length - 1);
    }

    @Test
    void rejects_out_of_order_block_ids() {
        byte[] raw = RecordBytes.record(10, 0).block(1, 0, REL, 0, new byte[0]).block(1, 0, null, 1, new byte[0])
                .build();
        assertThatThrownBy(() -> decode(raw)).isInstanceOf(WalFormatException.class)
                .hasMessageContaining("0/155E248").hasMessageContaining("out-of-order block_id 1");
    }

    @Test
    void rejects_block_ids_above_32_that_are_not_special() {
        byte[] raw = RecordBytes.record(10, 0).raw(33, 0, 0, 0).build();
        assertThatThrownBy(() -> decode(raw)).isInstanceOf(WalFormatException.class)
                .hasMessageContaining("invalid block_id 33");
    }

    @Test
    void rejects_has_data_without_data_and_data_without_has_data() {
        byte[] noData = RecordBytes.record(10, 0).raw(0, 0x20, 0, 0).raw(0x7F, 6, 0, 0, 5, 0, 0, 0, 0, 0x40, 0, 0, 1,
                0, 0, 0).build();
        assertThatThrownBy(() -> decode(noData)).hasMessageContaining("BKPBLOCK_HAS_DATA set, but no data included");
        byte[] unflagged = RecordBytes.record(10, 0).raw(0, 0x00, 3, 0).build();
        assertThatThrownBy(() -> decode(unflagged))
                .hasMessageContaining("BKPBLOCK_HAS_DATA not set, but data length is 3");
    }

    @Test
    void rejects_same_rel_on_the_first_block() {
        byte[] raw = RecordBytes.record(10, 0).block(0, 0, null, 1, new byte[0]).build();
        assertThatThrownBy(() -> decode(raw)).hasMessageContaining("BKPBLOCK_SAME_REL set but no previous rel");
    }

    @Test
    void enforces_the_image_header_rules() {
        // HAS_HOLE with hole offset 0
        assertThatThrownBy(() -> decode(RecordBytes.record(10, 0)
                .blockWithImage(0, 0, REL, 1, new byte[8000], 0, 0x03, 0, new byte[0]).build()))
                .hasMessageContaining("BKPIMAGE_HAS_HOLE set, but hole offset 0 length 192");
        // no HAS_HOLE but a hole offset
        assertThatThrownBy(() -> decode(RecordBytes.record(10, 0)
                .blockWithImage(0, 0, REL, 1, new byte[8192], 10, 0x02, 0, new byte[0]).build()))
                .hasMessageContaining("BKPIMAGE_HAS_HOLE not set, but hole offset 10");
        // uncompressed without hole must be a whole page
        assertThatThrownBy(() -> decode(RecordBytes.record(10, 0)
                .blockWithImage(0, 0, REL, 1, new byte[8000], 0, 0x02, 0, new byte[0]).build()))
                .hasMessageContaining("BKPIMAGE_HAS_HOLE not set, but hole offset 0 length 192");
        // compressed with a hole needs a non-zero hole length
        assertThatThrownBy(() -> decode(RecordBytes.record(10, 0)
                .blockWithImage(0, 0, REL, 1, new byte[100], 24, 0x07, 0, new byte[0]).build()))
                .hasMessageContaining("BKPIMAGE_HAS_HOLE set, but hole offset 24 length 0");
    }

    @Test
    void rejects_a_compressed_image_of_a_whole_page() {
        byte[] raw = RecordBytes.record(10, 0)
                .blockWithImage(0, 0, REL, 1, new byte[8192], 0, 0x06, 0, new byte[0]).build();
        assertThatThrownBy(() -> decode(raw)).hasMessageContaining("BKPIMAGE_COMPRESSED set, but block image length 8192");
    }

    @Test
    void rejects_payloads_that_do_not_add_up() {
        byte[] extra = RecordBytes.record(10, 0).block(0, 0, REL, 1, new byte[]{1}).payload(new byte[]{2}).build();
        assertThatThrownBy(() -> decode(extra)).hasMessageContaining("record with invalid length");
        byte[] cut = RecordBytes.record(10, 0).raw(0, 0x00, 0, 0, 0x7F, 6).build();
        assertThatThrownBy(() -> decode(cut)).hasMessageContaining("runs past the record's end");
        byte[] shortMain = RecordBytes.record(10, 0).raw(255, 10, 1, 2).build();
        assertThatThrownBy(() -> decode(shortMain)).hasMessageContaining("record with invalid length");
    }

    @Test
    void rejects_unknown_resource_managers_and_length_mismatches() {
        assertThatThrownBy(() -> decode(RecordBytes.record(22, 0).build()))
                .hasMessageContaining("invalid resource manager ID 22");
        assertThat(decode(RecordBytes.record(128, 0).build()).rmid()).isEqualTo(128);
        byte[] raw = RecordBytes.record(10, 0).mainData(new byte[4]).build();
        byte[] longer = java.util.Arrays.copyOf(raw, raw.length + 8);
        assertThatThrownBy(() -> RecordDecoder.decode(longer, LSN, LSN + 40))
                .hasMessageContaining("xl_tot_len is " + raw.length);
    }

    @Test
    void rejects_invalid_fork_numbers() {
        byte[] raw = RecordBytes.record(10, 0).block(0, 5, REL, 1, new byte[0]).build();
        assertThatThrownBy(() -> decode(raw)).hasMessageContaining("invalid fork number 5");
    }

    @Test
    void crc_check_detects_a_flipped_payload_byte() {
        byte[] raw = RecordBytes.record(10, 0).mainData(new byte[]{1, 2, 3}).build();
        raw[raw.length - 1] ^= 0x10;
        assertThat(RecordDecoder.crcMatches(raw)).isFalse();
    }

    static byte[] filled(int n, byte b) {
        byte[] a = new byte[n];
        java.util.Arrays.fill(a, b);
        return a;
    }
}

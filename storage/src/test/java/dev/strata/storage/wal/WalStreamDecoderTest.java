package dev.strata.storage.wal;

import dev.strata.storage.TestSeeds;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WalStreamDecoderTest {
    private static final int SEG = 1 << 20;
    private static final long SYSID = 7_300_000_000_000_000_001L;
    private static final int[] REL = {1663, 5, 16384};

    private static byte[] heapInsert(int mainLength, int dataLength) {
        return RecordBytes.record(10, 0x00).xid(700).block(0, 0, REL, 3, new byte[dataLength])
                .mainData(new byte[mainLength]).build();
    }

    private static byte[] switchRecord() {
        return RecordBytes.record(0, 0x40).build();
    }

    private static List<DecodedRecord> drain(WalStreamDecoder d) {
        List<DecodedRecord> out = new ArrayList<>();
        for (DecodedRecord r = d.next(); r != null; r = d.next()) {
            out.add(r);
        }
        return out;
    }

    /** Feeds the bytes in random chunk sizes, collecting records as they complete. */
    private static List<DecodedRecord> decodeInChunks(byte[] wal, long start, Random rnd) {
        WalStreamDecoder d = new WalStreamDecoder(start, SEG);
        List<DecodedRecord> out = new ArrayList<>();
        int off = 0;
        while (off < wal.length) {
            int n = Math.min(wal.length - off, 1 + rnd.nextInt(rnd.nextBoolean() ? 100 : 30_000));
            d.feed(ByteBuffer.wrap(wal, off, n));
            off += n;
            out.addAll(drain(d));
        }
        assertThat(d.endOfWal()).as("zeroed tail ends the WAL").isTrue();
        return out;
    }

    @Test
    void reassembles_records_across_pages_and_segments_fed_in_any_chunks() {
        long seed = TestSeeds.seed("WalStreamDecoderTest");
        Random rnd = new Random(seed);
        TestWal wal = new TestWal(0x3000000L, SEG, SYSID, 1);
        List<Long> lsns = new ArrayList<>();
        List<Integer> lengths = new ArrayList<>();
        while (wal.position() < 0x3000000L + SEG + 300_000) {
            int kind = rnd.nextInt(10);
            byte[] raw = kind == 0 ? heapInsert(20_000 + rnd.nextInt(40_000), 1 + rnd.nextInt(8000))
                    : heapInsert(rnd.nextInt(300), rnd.nextInt(200));
            lsns.add(wal.append(raw));
            lengths.add(raw.length);
        }
        List<DecodedRecord> got = decodeInChunks(wal.bytes(), 0x3000000L, rnd);
        assertThat(got).hasSize(lsns.size());
        for (int i = 0; i < got.size(); i++) {
            DecodedRecord r = got.get(i);
            assertThat(r.lsn()).isEqualTo(lsns.get(i));
            assertThat(r.totalLength()).isEqualTo(lengths.get(i));
            assertThat(r.prev()).isEqualTo(i == 0 ? 0 : lsns.get(i - 1));
            if (i + 1 < got.size()) {
                long next = lsns.get(i + 1);
                long expectedEnd = next % 8192 == 24 || next % SEG == 40 ? next - next % 8192 : next;
                assertThat(r.endLsn()).as("end of record %d", i).isIn(next, expectedEnd);
            }
        }
        assertThat(got.get(0).xid()).isEqualTo(700);
    }

    @Test
    void fed_from_a_stream_it_reads_exactly_each_chunk_and_decodes_what_array_feeding_decodes() throws Exception {
        long seed = TestSeeds.seed("WalStreamDecoderTest");
        Random rnd = new Random(seed);
        TestWal wal = new TestWal(0x3000000L, SEG, SYSID, 1);
        while (wal.position() < 0x3000000L + SEG / 2) {
            wal.append(rnd.nextInt(8) == 0 ? heapInsert(9_000 + rnd.nextInt(20_000), 100)
                    : heapInsert(rnd.nextInt(300), rnd.nextInt(200)));
        }
        wal.append(switchRecord());
        wal.padToNextSegment();
        while (wal.position() < 0x3000000L + SEG + 100_000) {
            wal.append(heapInsert(rnd.nextInt(300), rnd.nextInt(200)));
        }
        byte[] bytes = wal.bytes();
        List<DecodedRecord> expected = decodeInChunks(bytes, 0x3000000L, new Random(seed));
        java.io.ByteArrayInputStream in = new java.io.ByteArrayInputStream(bytes);
        java.io.DataInputStream data = new java.io.DataInputStream(in);
        WalStreamDecoder d = new WalStreamDecoder(0x3000000L, SEG);
        List<DecodedRecord> got = new ArrayList<>();
        int off = 0;
        while (off < bytes.length) {
            int n = Math.min(bytes.length - off, 1 + rnd.nextInt(rnd.nextBoolean() ? 100 : 140_000));
            d.feed(data, n);
            off += n;
            assertThat(in.available()).as("bytes left in the stream after feeding %d", off)
                    .isEqualTo(bytes.length - off);
            got.addAll(drain(d));
        }
        assertThat(d.endOfWal()).isTrue();
        assertThat(got).hasSize(expected.size());
        for (int i = 0; i < got.size(); i++) {
            assertThat(got.get(i).lsn()).isEqualTo(expected.get(i).lsn());
            assertThat(got.get(i).endLsn()).isEqualTo(expected.get(i).endLsn());
            assertThat(got.get(i).raw()).isEqualTo(expected.get(i).raw());
        }
    }

    @Test
    void a_start_on_a_page_boundary_skips_the_tail_of_an_earlier_record() {
        TestWal wal = new TestWal(0x3000000L, SEG, SYSID, 1);
        wal.append(heapInsert(10, 10));
        long big = wal.append(heapInsert(30_000, 100));
        long after = wal.append(heapInsert(10, 10));
        long page = (big / 8192 + 2) * 8192;
        byte[] all = wal.bytes();
        byte[] tail = java.util.Arrays.copyOfRange(all, (int) (page - 0x3000000L), all.length);
        WalStreamDecoder d = new WalStreamDecoder(page, SEG);
        d.feed(ByteBuffer.wrap(tail));
        List<DecodedRecord> got = drain(d);
        assertThat(got).extracting(DecodedRecord::lsn).containsExactly(after);
    }

    @Test
    void a_start_at_a_record_checks_prev_when_given() {
        TestWal wal = new TestWal(0x3000000L, SEG, SYSID, 1);
        long first = wal.append(heapInsert(10, 10));
        long second = wal.append(heapInsert(10, 10));
        byte[] all = wal.bytes();
        byte[] tail = java.util.Arrays.copyOfRange(all, (int) (second - 0x3000000L), all.length);
        WalStreamDecoder ok = new WalStreamDecoder(second, SEG).expectPrev(first);
        ok.feed(ByteBuffer.wrap(tail));
        assertThat(ok.next().lsn()).isEqualTo(second);
        WalStreamDecoder wrong = new WalStreamDecoder(second, SEG).expectPrev(first + 8);
        wrong.feed(ByteBuffer.wrap(tail));
        assertThatThrownBy(wrong::next).isInstanceOf(WalFormatException.class)
                .hasMessageContaining("incorrect prev-link").hasMessageContaining("0/3000070");
    }

    @Test
    void a_flipped_byte_fails_the_crc_naming_the_record_lsn() {
        TestWal wal = new TestWal(0x3000000L, SEG, SYSID, 1);
        wal.append(heapInsert(10, 10));
        long victim = wal.append(heapInsert(100, 10));
        wal.poke(victim + 60, 0x5A);
        WalStreamDecoder d = new WalStreamDecoder(0x3000000L, SEG);
        d.feed(ByteBuffer.wrap(wal.bytes()));
        assertThat(d.next()).isNotNull();
        assertThatThrownBy(d::next).isInstanceOf(WalFormatException.class)
                .hasMessageContaining("0/" + Long.toHexString(victim).toUpperCase())
                .hasMessageContaining("checksum")
                .satisfies(e -> assertThat(((WalFormatException) e).lsn()).isEqualTo(victim));
        assertThat(d.endOfWal()).isFalse();
    }

    @Test
    void a_zeroed_tail_and_a_recycled_page_are_the_end_of_wal_not_errors() {
        TestWal wal = new TestWal(0x3000000L, SEG, SYSID, 1);
        long last = 0;
        while (wal.position() < 0x3000000L + 3 * 8192 + 100) {
            last = wal.append(heapInsert(200, 50));
        }
        byte[] bytes = wal.bytes();
        WalStreamDecoder zero = new WalStreamDecoder(0x3000000L, SEG);
        zero.feed(ByteBuffer.wrap(bytes));
        assertThat(drain(zero)).last().extracting(DecodedRecord::lsn).isEqualTo(last);
        assertThat(zero.endOfWal()).isTrue();
        assertThat(zero.endOfWalReason()).contains("zeroed");

        // a following page with an old address, as in a recycled segment
        TestWal old = new TestWal(0x1000000L, SEG, SYSID, 1);
        old.pageHeader(0x1000000L + bytes.length, 0, 0);
        byte[] stale = java.util.Arrays.copyOfRange(old.bytes(), bytes.length, bytes.length + 8192);
        long nextPage = 0x3000000L + bytes.length;
        WalStreamDecoder recycled = new WalStreamDecoder(nextPage - 8192, SEG);
        recycled.feed(ByteBuffer.wrap(bytes, bytes.length - 8192, 8192));
        recycled.feed(ByteBuffer.wrap(stale));
        drain(recycled);
        assertThat(recycled.endOfWal()).isTrue();
    }

    @Test
    void a_page_with_the_wrong_address_ends_the_wal_mid_record() {
        TestWal wal = new TestWal(0x3000000L, SEG, SYSID, 1);
        wal.append(heapInsert(10, 10));
        long big = wal.append(heapInsert(20_000, 10));
        byte[] bytes = wal.bytes();
        long secondPage = (big / 8192 + 1) * 8192;
        int at = (int) (secondPage - 0x3000000L) + 8;
        bytes[at + 1] ^= 0x40; // xlp_pageaddr
        WalStreamDecoder d = new WalStreamDecoder(0x3000000L, SEG);
        d.feed(ByteBuffer.wrap(bytes));
        assertThat(drain(d)).hasSize(1);
        assertThat(d.endOfWal()).isTrue();
        assertThat(d.endOfWalReason()).contains("incomplete").contains("carries address");
    }

    @Test
    void xlog_switch_moves_to_the_next_segment() {
        TestWal wal = new TestWal(0x3000000L, SEG, SYSID, 1);
        wal.append(heapInsert(10, 10));
        long sw = wal.append(switchRecord());
        wal.padToNextSegment();
        long next = wal.append(heapInsert(10, 10));
        assertThat(next).isEqualTo(0x3000000L + SEG + 40);
        WalStreamDecoder d = new WalStreamDecoder(0x3000000L, SEG);
        byte[] bytes = wal.bytes();
        d.feed(ByteBuffer.wrap(bytes, 0, 20_000));
        List<DecodedRecord> got = drain(d);
        d.feed(ByteBuffer.wrap(bytes, 20_000, bytes.length - 20_000));
        got.addAll(drain(d));
        assertThat(got).extracting(DecodedRecord::lsn).containsExactly(0x3000028L, sw, next);
        assertThat(got.get(1).endLsn()).isEqualTo(0x3000000L + SEG);
    }

    @Test
    void an_overwritten_continuation_is_dropped_and_reading_resumes_at_that_page() {
        TestWal wal = new TestWal(0x3000000L, SEG, SYSID, 1);
        long first = wal.append(heapInsert(10, 10));
        // a record that starts near the end of page 0 and whose continuation never gets written
        while (wal.position() % 8192 < 8000) {
            wal.append(heapInsert(10, 10));
        }
        long lastGood = wal.append(heapInsert(10, 10));
        byte[] abandoned = heapInsert(500, 10);
        java.nio.ByteBuffer.wrap(abandoned).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(8, lastGood);
        long abandonedLsn = wal.position();
        assertThat(abandonedLsn).isGreaterThan(first);
        // only the part that fits on this page was written
        byte[] partial = java.util.Arrays.copyOf(abandoned, (int) (8192 - abandonedLsn % 8192));
        long page = (abandonedLsn / 8192 + 1) * 8192;
        byte[] bytes = java.util.Arrays.copyOf(wal.bytes(), (int) (page - 0x3000000L + 8192));
        System.arraycopy(partial, 0, bytes, (int) (abandonedLsn - 0x3000000L), partial.length);
        // the next page: OVERWRITE flag, then an XLOG_OVERWRITE_CONTRECORD record naming the abandoned LSN
        TestWal tail = new TestWal(page, SEG, SYSID, 1);
        tail.pageHeader(page, WalPageHeader.XLP_FIRST_IS_OVERWRITE_CONTRECORD, 0);
        ByteBuffer main = ByteBuffer.allocate(16).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        main.putLong(abandonedLsn).putLong(0);
        byte[] ow = RecordBytes.record(0, 0xD0).mainData(main.array()).build();
        java.nio.ByteBuffer.wrap(ow).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(8, lastGood);
        RecordBytes.setCrc(ow);
        byte[] pageBytes = tail.bytes();
        System.arraycopy(ow, 0, pageBytes, 24, ow.length);
        System.arraycopy(pageBytes, 0, bytes, (int) (page - 0x3000000L), 8192);

        WalStreamDecoder d = new WalStreamDecoder(0x3000000L, SEG);
        d.feed(ByteBuffer.wrap(bytes));
        List<DecodedRecord> got = drain(d);
        assertThat(got.get(got.size() - 2).lsn()).isEqualTo(lastGood);
        DecodedRecord last = got.get(got.size() - 1);
        assertThat(last.lsn()).isEqualTo(page + 24);
        assertThat(last.rmgrInfo()).isEqualTo(0xD0);
    }

    @Test
    void a_missing_contrecord_flag_is_an_error() {
        TestWal wal = new TestWal(0x3000000L, SEG, SYSID, 1);
        long big = wal.append(heapInsert(20_000, 10));
        byte[] bytes = wal.bytes();
        int secondPage = (int) ((big / 8192 + 1) * 8192 - 0x3000000L);
        bytes[secondPage + 2] &= ~WalPageHeader.XLP_FIRST_IS_CONTRECORD;
        WalStreamDecoder d = new WalStreamDecoder(0x3000000L, SEG);
        d.feed(ByteBuffer.wrap(bytes));
        assertThatThrownBy(d::next).hasMessageContaining("no contrecord flag");
    }

    @Test
    void a_long_header_from_another_system_is_an_error() {
        TestWal a = new TestWal(0x3000000L, SEG, SYSID, 1);
        a.append(switchRecord());
        a.padToNextSegment();
        byte[] first = a.bytes();
        TestWal b = new TestWal(0x3000000L + SEG, SEG, SYSID + 1, 1);
        b.append(heapInsert(10, 10));
        WalStreamDecoder d = new WalStreamDecoder(0x3000000L, SEG);
        d.feed(ByteBuffer.wrap(first));
        d.feed(ByteBuffer.wrap(b.bytes()));
        assertThat(d.next()).isNotNull();
        assertThatThrownBy(d::next).hasMessageContaining("different database system")
                .hasMessageContaining(Long.toUnsignedString(SYSID + 1));
    }

    @Test
    void timelines_must_not_go_backwards_or_exceed_the_limit() {
        TestWal wal = new TestWal(0x3000000L, SEG, SYSID, 2);
        while (wal.position() < 0x3000000L + 8192 + 100) {
            wal.append(heapInsert(100, 10));
        }
        byte[] bytes = wal.bytes();
        bytes[8192 + 4] = 1; // second page claims timeline 1 after timeline 2
        WalStreamDecoder back = new WalStreamDecoder(0x3000000L, SEG);
        back.feed(ByteBuffer.wrap(bytes));
        assertThatThrownBy(() -> drain(back)).hasMessageContaining("out-of-sequence timeline ID 1 (after 2)");
        WalStreamDecoder limited = new WalStreamDecoder(0x3000000L, SEG).maxTimeline(1);
        limited.feed(ByteBuffer.wrap(bytes));
        assertThatThrownBy(limited::next).hasMessageContaining("page of timeline 2 in WAL of timeline 1");
    }

    @Test
    void a_garbage_page_magic_is_an_error() {
        TestWal wal = new TestWal(0x3000000L, SEG, SYSID, 1);
        while (wal.position() < 0x3000000L + 8192 + 100) {
            wal.append(heapInsert(100, 10));
        }
        byte[] bytes = wal.bytes();
        bytes[8192] = 0x11;
        WalStreamDecoder d = new WalStreamDecoder(0x3000000L, SEG);
        d.feed(ByteBuffer.wrap(bytes));
        assertThatThrownBy(() -> drain(d)).hasMessageContaining("invalid magic number D111")
                .hasMessageContaining("0/3002000");
    }
}

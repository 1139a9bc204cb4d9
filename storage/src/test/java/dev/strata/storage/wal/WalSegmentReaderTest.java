package dev.strata.storage.wal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WalSegmentReaderTest {
    private static final int SEG = 1 << 20;
    private static final long SYSID = 7_300_000_000_000_000_001L;
    private static final long BASE = 3L * SEG;
    private static final int[] REL = {1663, 5, 16384};

    @TempDir
    Path dir;

    private final List<Long> lsns = new ArrayList<>();

    private static byte[] record(int main) {
        return RecordBytes.record(10, 0x00).xid(700).block(0, 0, REL, 3, new byte[40]).mainData(new byte[main])
                .build();
    }

    /** Writes about 2.5 segments of WAL (segments 3, 4, 5), the last with a zeroed tail. */
    private TestWal writeWal(long sysid, int tli) throws IOException {
        TestWal wal = new TestWal(BASE, SEG, sysid, tli);
        int i = 0;
        while (wal.position() < BASE + 2 * SEG + SEG / 2) {
            lsns.add(wal.append(record(i++ % 7 == 0 ? 20_000 : 100)));
        }
        byte[] bytes = wal.bytes();
        for (int s = 0; s < 3; s++) {
            byte[] seg = new byte[SEG];
            System.arraycopy(bytes, s * SEG, seg, 0, Math.min(SEG, bytes.length - s * SEG));
            Files.write(dir.resolve(name(tli, 3 + s)), seg);
        }
        return wal;
    }

    private static String name(int tli, long segno) {
        return String.format("%08X%08X%08X", tli, segno / 4096, segno % 4096);
    }

    private static List<Long> readAll(WalSegmentReader r) {
        List<Long> out = new ArrayList<>();
        for (DecodedRecord rec = r.next(); rec != null; rec = r.next()) {
            out.add(rec.lsn());
        }
        return out;
    }

    @Test
    void reads_every_record_of_every_segment_until_the_zeroed_tail() throws IOException {
        writeWal(SYSID, 1);
        try (WalSegmentReader r = WalSegmentReader.open(dir, 0, 0, 0)) {
            assertThat(readAll(r)).isEqualTo(lsns);
            assertThat(r.endReason()).startsWith("end of WAL").contains("zeroed");
            assertThat(r.files().segmentSize()).isEqualTo(SEG);
            assertThat(r.files().systemId()).isEqualTo(SYSID);
        }
    }

    @Test
    void starts_at_the_first_record_at_or_after_the_start_and_stops_at_the_end() throws IOException {
        writeWal(SYSID, 1);
        long start = lsns.get(100) - 8;
        long end = lsns.get(700);
        try (WalSegmentReader r = WalSegmentReader.open(dir, 0, start, end)) {
            assertThat(readAll(r)).isEqualTo(lsns.subList(100, 700));
            assertThat(r.endReason()).contains("end LSN");
        }
        long inSecond = BASE + SEG + 8192;
        try (WalSegmentReader r = WalSegmentReader.open(dir, 0, inSecond, 0)) {
            List<Long> got = readAll(r);
            assertThat(got.get(0)).isGreaterThanOrEqualTo(inSecond);
            assertThat(got).isEqualTo(lsns.subList(lsns.indexOf(got.get(0)), lsns.size()));
        }
    }

    @Test
    void a_truncated_segment_is_an_error_naming_the_file_and_lsn() throws IOException {
        writeWal(SYSID, 1);
        Path second = dir.resolve(name(1, 4));
        Files.write(second, Arrays.copyOf(Files.readAllBytes(second), 300_000));
        try (WalSegmentReader r = WalSegmentReader.open(dir, 0, 0, 0)) {
            assertThatThrownBy(() -> readAll(r)).isInstanceOf(WalFormatException.class)
                    .hasMessageContaining(name(1, 4)).hasMessageContaining("truncated")
                    .hasMessageContaining("0/4493E0");
        }
    }

    @Test
    void a_flipped_byte_is_an_error_naming_the_file_and_the_record_lsn() throws IOException {
        writeWal(SYSID, 1);
        long victim = lsns.get(lsns.size() / 2);
        Path file = dir.resolve(name(1, victim / SEG));
        byte[] seg = Files.readAllBytes(file);
        int off = (int) (victim % SEG) + 30;
        seg[off] ^= 0x01;
        Files.write(file, seg);
        try (WalSegmentReader r = WalSegmentReader.open(dir, 0, 0, 0)) {
            assertThatThrownBy(() -> readAll(r)).isInstanceOf(WalFormatException.class)
                    .hasMessageContaining(name(1, victim / SEG))
                    .hasMessageContaining(dev.strata.storage.pg.Lsn.format(victim))
                    .hasMessageContaining("checksum");
        }
    }

    @Test
    void a_segment_from_another_system_is_an_error_naming_the_file() throws IOException {
        writeWal(SYSID, 1);
        Path mine = dir.resolve(name(1, 4));
        Path other = Files.createTempDirectory(dir, "other");
        Path saved = Files.move(dir.resolve(name(1, 5)), other.resolve("keep"));
        // build the same LSN range with another system id and put its segment 4 in place
        Path ownDir = dir;
        dir = Files.createDirectory(other.resolve("b"));
        writeWal(SYSID + 42, 1);
        Files.copy(dir.resolve(name(1, 4)), mine, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        dir = ownDir;
        assertThat(saved).exists();
        try (WalSegmentReader r = WalSegmentReader.open(dir, 0, 0, 0)) {
            assertThatThrownBy(() -> readAll(r)).isInstanceOf(WalFormatException.class)
                    .hasMessageContaining(name(1, 4)).hasMessageContaining("0/400000")
                    .hasMessageContaining("different database system");
        }
    }

    @Test
    void a_segment_from_a_newer_timeline_is_an_error_naming_the_file() throws IOException {
        writeWal(SYSID, 1);
        Path file = dir.resolve(name(1, 4));
        byte[] seg = Files.readAllBytes(file);
        seg[4] = 2; // xlp_tli of the segment's first page
        Files.write(file, seg);
        try (WalSegmentReader r = WalSegmentReader.open(dir, 0, 0, 0)) {
            assertThatThrownBy(() -> readAll(r)).isInstanceOf(WalFormatException.class)
                    .hasMessageContaining(name(1, 4)).hasMessageContaining("timeline 2");
        }
    }

    @Test
    void a_missing_middle_segment_is_an_error_but_a_missing_next_one_ends_reading() throws IOException {
        writeWal(SYSID, 1);
        Files.delete(dir.resolve(name(1, 5)));
        try (WalSegmentReader r = WalSegmentReader.open(dir, 0, 0, 0)) {
            readAll(r);
            assertThat(r.endReason()).contains("no segment file " + name(1, 5));
        }
        Files.delete(dir.resolve(name(1, 4)));
        Files.write(dir.resolve(name(1, 5)), new byte[SEG]);
        try (WalSegmentReader r = WalSegmentReader.open(dir, 0, 0, 0)) {
            assertThatThrownBy(() -> readAll(r)).hasMessageContaining(name(1, 4) + " is missing");
        }
    }

    @Test
    void a_recycled_segment_after_the_end_is_the_end_of_wal() throws IOException {
        TestWal wal = writeWal(SYSID, 1);
        // segment 5 holds leftovers of segment 2: its pages carry old addresses
        TestWal old = new TestWal(2L * SEG, SEG, SYSID, 1);
        while (old.position() < 2L * SEG + SEG - 20_000) {
            old.append(record(100));
        }
        byte[] stale = Arrays.copyOf(old.bytes(), SEG);
        // cut the real WAL exactly at the end of segment 4 by switching there
        assertThat(wal).isNotNull();
        Path seg5 = dir.resolve(name(1, 5));
        Files.write(seg5, stale);
        try (WalSegmentReader r = WalSegmentReader.open(dir, 0, 0, 0)) {
            List<Long> got = readAll(r);
            assertThat(got).isNotEmpty();
            assertThat(r.endReason()).startsWith("end of WAL").contains("recycled");
        }
    }

    @Test
    void reads_from_a_data_directory_holding_pg_wal() throws IOException {
        Path data = dir;
        dir = Files.createDirectory(data.resolve("pg_wal"));
        writeWal(SYSID, 1);
        try (WalSegmentReader r = WalSegmentReader.open(data, 0, 0, 0)) {
            assertThat(readAll(r)).isEqualTo(lsns);
        }
    }
}

package dev.strata.wire.backup;

import dev.strata.storage.pg.Lsn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class SyntheticWalTest {
    private static final int SEG = 16 << 20;
    private static final long NOW = 1_750_000_000L;

    private static SyntheticWal plain(long lsn, long prev) {
        return SyntheticWal.create(ControlFile.parse(Fixtures.control(lsn - 1000), "test"),
                CheckPoint.parse(Fixtures.checkpoint(lsn - 1000), "test"), lsn, prev, false, 0);
    }

    private static SyntheticWal standby(long lsn, long prev, int oldestActive) {
        return SyntheticWal.create(ControlFile.parse(Fixtures.control(lsn - 1000), "test"),
                CheckPoint.parse(Fixtures.checkpoint(lsn - 1000), "test"), lsn, prev, true, oldestActive);
    }

    @Test
    void checkpoint_sits_at_an_aligned_backup_lsn_with_xl_prev_and_redo_there() {
        SyntheticWal w = plain(Lsn.parse("0/3345678"), Lsn.parse("0/3345600"));
        assertThat(Lsn.format(w.checkpointLsn())).isEqualTo("0/3345678");
        assertThat(w.redoLsn()).isEqualTo(w.checkpointLsn());
        assertThat(w.endLsn()).isEqualTo(w.checkpointLsn() + 114);
        assertThat(w.nextRecordLsn()).isEqualTo(w.checkpointLsn() + 120);
        assertThat(w.segmentFileName()).isEqualTo("000000010000000000000003");
        assertThat(Lsn.format(w.segmentStartLsn())).isEqualTo("0/3000000");
        ByteBuffer rec = ByteBuffer.wrap(w.checkpointRecord()).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(rec.getInt(0)).isEqualTo(114);
        assertThat(Lsn.format(rec.getLong(8))).isEqualTo("0/3345600");
        assertThat(rec.get(16)).isEqualTo((byte) 0x00);
        assertThat(rec.get(24)).isEqualTo((byte) 0xFF);
        assertThat(rec.get(25)).isEqualTo((byte) 88);
        assertThat(Lsn.format(rec.getLong(26))).as("CheckPoint.redo").isEqualTo("0/3345678");
        assertThat(rec.getLong(26 + 64)).as("CheckPoint.time: the stored checkpoint's").isEqualTo(1_700_000_000L);
    }

    @Test
    void backups_at_the_same_lsn_carry_identical_wal_whatever_the_clock() throws Exception {
        FakeView v = new FakeView(Lsn.parse("0/3345678"));
        BackupWriter a = new BackupWriter(v, v.lsn, 0x3345600, BackupOptions.fullbackup(), NOW);
        BackupWriter b = new BackupWriter(v, v.lsn, 0x3345600, BackupOptions.fullbackup().withWal(false), NOW + 3600);
        ByteArrayOutputStream sa = new ByteArrayOutputStream();
        ByteArrayOutputStream sb = new ByteArrayOutputStream();
        a.wal().writeSegment(sa);
        b.wal().writeSegment(sb);
        assertThat(sa.toByteArray()).isEqualTo(sb.toByteArray());
        assertThat(java.util.Arrays.copyOfRange(a.controlFile(), 32, 128))
                .isEqualTo(java.util.Arrays.copyOfRange(b.controlFile(), 32, 128));
    }

    @Test
    void record_crc_covers_the_payload_then_the_header() {
        byte[] rec = plain(Lsn.parse("0/3345678"), 0).checkpointRecord();
        CRC32C crc = new CRC32C();
        crc.update(rec, 24, 90);
        crc.update(rec, 0, 20);
        assertThat(ByteBuffer.wrap(rec).order(ByteOrder.LITTLE_ENDIAN).getInt(20)).isEqualTo((int) crc.getValue());
    }

    @Test
    void unaligned_lsn_rounds_up_to_eight_and_page_boundaries_skip_the_header() {
        assertThat(Lsn.format(plain(Lsn.parse("0/3345679"), 0).checkpointLsn())).isEqualTo("0/3345680");
        assertThat(Lsn.format(plain(Lsn.parse("0/3346000"), 0).checkpointLsn())).isEqualTo("0/3346018");
        assertThat(Lsn.format(plain(Lsn.parse("0/4000000"), 0).checkpointLsn())).isEqualTo("0/4000028");
        assertThat(Lsn.format(plain(Lsn.parse("0/3FFFFFC"), 0).checkpointLsn())).isEqualTo("0/4000028");
    }

    @Test
    void record_that_would_cross_a_page_moves_to_the_next_page() {
        assertThat(Lsn.format(plain(Lsn.parse("0/3347FA0"), 0).checkpointLsn())).isEqualTo("0/3348018");
        assertThat(Lsn.format(plain(Lsn.parse("0/3347F88"), 0).checkpointLsn())).as("114 bytes still fit")
                .isEqualTo("0/3347F88");
        assertThat(Lsn.format(plain(Lsn.parse("0/3FFFFA0"), 0).checkpointLsn())).as("crosses a segment")
                .isEqualTo("0/4000028");
    }

    @Test
    void standby_layout_puts_an_online_checkpoint_in_the_next_segment_with_redo_at_the_backup_lsn() {
        SyntheticWal w = standby(Lsn.parse("0/3345678"), Lsn.parse("0/3345600"), 740);
        assertThat(w.standbyLayout()).isTrue();
        assertThat(Lsn.format(w.checkpointLsn())).isEqualTo("0/4000028");
        assertThat(Lsn.format(w.redoLsn())).isEqualTo("0/3345678");
        assertThat(w.segmentFileName()).isEqualTo("000000010000000000000004");
        ByteBuffer rec = ByteBuffer.wrap(w.checkpointRecord()).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(rec.get(16)).as("XLOG_CHECKPOINT_ONLINE").isEqualTo((byte) 0x10);
        assertThat(rec.getInt(26 + 80)).as("oldestActiveXid").isEqualTo(740);
    }

    @Test
    void segment_names_follow_the_segment_size() {
        assertThat(SyntheticWal.segmentFileName(1, Lsn.parse("1/23000000"), 16 << 20))
                .isEqualTo("000000010000000100000023");
        assertThat(SyntheticWal.segmentFileName(3, Lsn.parse("2/5500000"), 1 << 20))
                .isEqualTo("000000030000000200000055");
        assertThat(SyntheticWal.segmentFileName(1, Lsn.parse("5/40000000"), 1 << 30))
                .isEqualTo("000000010000000500000001");
    }

    @Test
    void read_returns_the_same_bytes_as_the_whole_segment() throws Exception {
        SyntheticWal w = plain(Lsn.parse("0/3345678"), Lsn.parse("0/3345600"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        w.writeSegment(out);
        byte[] all = out.toByteArray();
        assertThat(all).hasSize(SEG);
        byte[] part = new byte[100_000];
        w.read(w.segmentStartLsn() + 0x340000, part, 0, part.length);
        assertThat(part).isEqualTo(java.util.Arrays.copyOfRange(all, 0x340000, 0x340000 + part.length));
        byte[] rec = new byte[114];
        w.read(w.checkpointLsn(), rec, 0, 114);
        assertThat(rec).isEqualTo(w.checkpointRecord());
        assertThatThrownBy(() -> w.read(w.segmentStartLsn() + SEG - 10, new byte[20], 0, 20))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("000000010000000000000003");
    }

    @Test
    void abnormal_next_xid_is_refused_before_anything_is_written() {
        byte[] cp = Fixtures.checkpoint(Lsn.parse("0/3000000"), 1, 2, 16384, 1, 0, 3, 1);
        assertThatThrownBy(() -> SyntheticWal.create(ControlFile.parse(Fixtures.control(cp, SEG, 0), "t"),
                CheckPoint.parse(cp, "t"), Lsn.parse("0/3345678"), 0, false, 0))
                .isInstanceOf(BackupException.class).hasMessageContaining("next XID 2")
                .hasMessageContaining("0/3345678");
    }

    @ParameterizedTest(name = "lsn {0}")
    @ValueSource(strings = {"0/3345678", "0/3000000", "0/3002000", "0/3347FA0", "0/3FFFFA0", "2/A0000F0"})
    void pg_waldump_reads_the_checkpoint_from_the_segment_start(String lsnText, @TempDir Path dir)
            throws Exception {
        assumeTrue(PgTools.available(), PgTools.hint());
        long lsn = Lsn.parse(lsnText);
        SyntheticWal w = plain(lsn, lsn - 0x50);
        String out = waldump(dir, w);
        assertThat(out).contains("lsn: " + waldumpLsn(w.checkpointLsn()) + ", prev "
                + waldumpLsn(lsn - 0x50) + ", desc: CHECKPOINT_SHUTDOWN redo " + Lsn.format(w.checkpointLsn())
                + "; tli 1; prev tli 1; fpw true; xid 0:747; oid 16410; multi 1; offset 0; oldest xid 716 in DB 1; "
                + "oldest multi 1 in DB 1; oldest/newest commit timestamp xid: 0/0; oldest running xid 0; shutdown");
        assertThat(out).contains("len (rec/tot):    114/   114");
        assertThat(out).contains("invalid record length at " + Lsn.format(w.nextRecordLsn()) + ": wanted 24, got 0");
        assertThat(out.split("rmgr: ")).as("exactly one record").hasSize(2);
    }

    @Test
    void pg_waldump_reads_the_standby_layouts_online_checkpoint(@TempDir Path dir) throws Exception {
        assumeTrue(PgTools.available(), PgTools.hint());
        SyntheticWal w = standby(Lsn.parse("0/3345678"), Lsn.parse("0/3345600"), 745);
        assertThat(waldump(dir, w)).contains("lsn: 0/04000028, prev 0/03345600, desc: CHECKPOINT_ONLINE redo "
                + "0/3345678; tli 1; prev tli 1; fpw true; xid 0:747; oid 16410; multi 1; offset 0; oldest xid 716 "
                + "in DB 1; oldest multi 1 in DB 1; oldest/newest commit timestamp xid: 0/0; oldest running xid 745;"
                + " online");
    }

    @Test
    void pg_waldump_reads_a_one_megabyte_segment(@TempDir Path dir) throws Exception {
        assumeTrue(PgTools.available(), PgTools.hint());
        long lsn = Lsn.parse("0/5432100");
        byte[] cp = Fixtures.checkpoint(lsn - 1000);
        SyntheticWal w = SyntheticWal.create(ControlFile.parse(Fixtures.control(cp, 1 << 20, 0), "t"),
                CheckPoint.parse(cp, "t"), lsn, 0, false, 0);
        assertThat(w.segmentFileName()).isEqualTo("000000010000000000000054");
        assertThat(waldump(dir, w)).contains("lsn: 0/05432100, prev 0/00000000, desc: CHECKPOINT_SHUTDOWN");
    }

    private static String waldump(Path dir, SyntheticWal w) throws Exception {
        Path seg = dir.resolve(w.segmentFileName());
        try (var out = new java.io.BufferedOutputStream(Files.newOutputStream(seg))) {
            w.writeSegment(out);
        }
        PgTools.Result r = PgTools.run("pg_waldump", "-p", dir.toString(), w.segmentFileName());
        return r.output();
    }

    /** pg_waldump prints record LSNs with 8 hex digits after the slash. */
    private static String waldumpLsn(long lsn) {
        return String.format("%X/%08X", lsn >>> 32, lsn & 0xFFFFFFFFL);
    }
}

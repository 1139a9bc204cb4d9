package dev.strata.wire.backup;

import dev.strata.storage.pg.Lsn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ControlFileTest {
    private static final long NOW = 1_750_000_000L;

    private static Map<String, String> controldata(Path dir, byte[] image) throws Exception {
        Files.createDirectories(dir.resolve("global"));
        Files.write(dir.resolve("global/pg_control"), image);
        PgTools.Result r = PgTools.run("pg_controldata", "-D", dir.toString());
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).doesNotContain("WARNING");
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : r.output().split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                fields.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
            }
        }
        return fields;
    }

    @Test
    void shutdown_image_has_the_checkpoint_and_a_crc_pg_controldata_accepts(@TempDir Path dir) throws Exception {
        assumeTrue(PgTools.available(), PgTools.hint());
        long lsn = Lsn.parse("0/B000028");
        byte[] cp = Fixtures.checkpoint(Lsn.parse("0/9000100"), 1, (2L << 32) | 747, 16410, 5, 11, 716, 1);
        SyntheticWal wal = SyntheticWal.create(ControlFile.parse(Fixtures.control(cp, 16 << 20, 1), "t"),
                CheckPoint.parse(cp, "t"), lsn, Lsn.parse("0/AFFFF00"), false, 0);
        byte[] image = ControlFile.parse(Fixtures.control(cp, 16 << 20, 1), "t")
                .forCheckpoint(ControlFile.DB_SHUTDOWNED, wal.checkpointLsn(), wal.checkpoint(), 0, NOW);
        assertThat(image).hasSize(8192);
        assertThat(ControlFile.parse(image, "generated").checkPointLsn()).isEqualTo(lsn);
        Map<String, String> f = controldata(dir, image);
        assertThat(f.get("pg_control version number")).isEqualTo("1300");
        assertThat(f.get("Catalog version number")).isEqualTo("202209061");
        assertThat(f.get("Database system identifier")).isEqualTo(Long.toUnsignedString(Fixtures.SYSID));
        assertThat(f.get("Database cluster state")).isEqualTo("shut down");
        assertThat(f.get("Latest checkpoint location")).isEqualTo("0/B000028");
        assertThat(f.get("Latest checkpoint's REDO location")).isEqualTo("0/B000028");
        assertThat(f.get("Latest checkpoint's TimeLineID")).isEqualTo("1");
        assertThat(f.get("Latest checkpoint's NextXID")).isEqualTo("2:747");
        assertThat(f.get("Latest checkpoint's NextOID")).isEqualTo("16410");
        assertThat(f.get("Latest checkpoint's NextMultiXactId")).isEqualTo("5");
        assertThat(f.get("Latest checkpoint's NextMultiOffset")).isEqualTo("11");
        assertThat(f.get("Latest checkpoint's oldestXID")).isEqualTo("716");
        assertThat(f.get("Latest checkpoint's oldestActiveXID")).isEqualTo("0");
        assertThat(f.get("Minimum recovery ending location")).isEqualTo("0/0");
        assertThat(f.get("Backup start location")).isEqualTo("0/0");
        assertThat(f.get("End-of-backup record required")).isEqualTo("no");
        assertThat(f.get("Data page checksum version")).isEqualTo("1");
        assertThat(f.get("max_prepared_xacts setting")).isEqualTo("5");
        assertThat(f.get("Bytes per WAL segment")).isEqualTo("16777216");
    }

    @Test
    void standby_image_is_shut_down_in_recovery_with_min_recovery_at_redo(@TempDir Path dir) throws Exception {
        assumeTrue(PgTools.available(), PgTools.hint());
        long lsn = Lsn.parse("0/3345678");
        byte[] cp = Fixtures.checkpoint(Lsn.parse("0/3000100"));
        ControlFile cf = ControlFile.parse(Fixtures.control(cp, 16 << 20, 0), "t");
        SyntheticWal wal = SyntheticWal.create(cf, CheckPoint.parse(cp, "t"), lsn, 0, true, 747);
        Map<String, String> f = controldata(dir, cf.forCheckpoint(ControlFile.DB_SHUTDOWNED_IN_RECOVERY,
                wal.checkpointLsn(), wal.checkpoint(), wal.redoLsn(), NOW));
        assertThat(f.get("Database cluster state")).isEqualTo("shut down in recovery");
        assertThat(f.get("Latest checkpoint location")).isEqualTo("0/4000028");
        assertThat(f.get("Latest checkpoint's REDO location")).isEqualTo("0/3345678");
        assertThat(f.get("Minimum recovery ending location")).isEqualTo("0/3345678");
        assertThat(f.get("Min recovery ending loc's timeline")).isEqualTo("1");
        assertThat(f.get("Latest checkpoint's oldestActiveXID")).isEqualTo("747");
    }

    @Test
    void forCheckpoint_keeps_identity_and_settings_and_raises_unlogged_lsn() {
        byte[] original = Fixtures.control(Lsn.parse("0/3000000"));
        ByteBuffer.wrap(original).order(ByteOrder.LITTLE_ENDIAN).putLong(128, 5);
        fixCrc(original);
        ControlFile cf = ControlFile.parse(original, "t");
        byte[] out = cf.forCheckpoint(ControlFile.DB_SHUTDOWNED, 0x4000028L, cf.checkPointCopy(), 0, NOW);
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.getLong(128)).as("unloggedLSN").isEqualTo(1000);
        assertThat(b.getLong(24)).as("time").isEqualTo(NOW);
        assertThat(java.util.Arrays.copyOfRange(out, 172, 252)).as("settings and constants")
                .isEqualTo(java.util.Arrays.copyOfRange(original, 172, 252));
        assertThat(java.util.Arrays.copyOfRange(out, 256, 288)).as("nonce")
                .isEqualTo(java.util.Arrays.copyOfRange(original, 256, 288));
        assertThat(java.util.Arrays.copyOfRange(out, 296, 8192)).containsOnly(0);
    }

    @Test
    void bad_crc_is_refused_naming_both_values() {
        byte[] image = Fixtures.control(Lsn.parse("0/3000000"));
        image[100] ^= 1;
        assertThatThrownBy(() -> ControlFile.parse(image, "of timeline x"))
                .isInstanceOf(BackupException.class).hasMessageContaining("bad CRC")
                .hasMessageContaining("of timeline x").hasMessageContaining("[0, 288)");
    }

    @Test
    void other_versions_and_build_constants_are_refused_naming_the_field() {
        byte[] v14 = Fixtures.control(Lsn.parse("0/3000000"));
        ByteBuffer.wrap(v14).order(ByteOrder.LITTLE_ENDIAN).putInt(12, 202107181);
        fixCrc(v14);
        assertThatThrownBy(() -> ControlFile.parse(v14, "t")).hasMessageContaining("catalog_version_no 202107181");
        byte[] blck = Fixtures.control(Lsn.parse("0/3000000"));
        ByteBuffer.wrap(blck).order(ByteOrder.LITTLE_ENDIAN).putInt(216, 16384);
        fixCrc(blck);
        assertThatThrownBy(() -> ControlFile.parse(blck, "t")).hasMessageContaining("blcksz 16384");
        byte[] seg = Fixtures.control(Lsn.parse("0/3000000"));
        ByteBuffer.wrap(seg).order(ByteOrder.LITTLE_ENDIAN).putInt(228, 3 << 20);
        fixCrc(seg);
        assertThatThrownBy(() -> ControlFile.parse(seg, "t")).hasMessageContaining("xlog_seg_size 3145728");
        assertThatThrownBy(() -> ControlFile.parse(new byte[100], "t")).hasMessageContaining("only 100 bytes");
    }

    private static void fixCrc(byte[] image) {
        ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN).putInt(288, ControlFile.crc(image));
    }
}

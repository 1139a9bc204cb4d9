package dev.strata.wire.walsender;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;

class TarInspectorTest {
    private static final String LONG = "base/16384/" + "x".repeat(120);

    private static byte[] tar(int longFileMode) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(bytes)) {
            t.setLongFileMode(longFileMode);
            t.putArchiveEntry(new TarArchiveEntry("global/"));
            t.closeArchiveEntry();
            file(t, "PG_VERSION", "15\n".getBytes(StandardCharsets.US_ASCII));
            byte[] wal = new byte[16384];
            new Random(1).nextBytes(wal);
            file(t, "pg_wal/000000010000000000000001", wal);
            file(t, LONG, new byte[700]);
            file(t, "global/pg_control", new byte[8192]);
        }
        return bytes.toByteArray();
    }

    private static void file(TarArchiveOutputStream t, String name, byte[] data) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(data.length);
        e.setModTime(1_700_000_000_000L);
        t.putArchiveEntry(e);
        t.write(data);
        t.closeArchiveEntry();
    }

    private static List<String> names(byte[] tar) throws IOException {
        List<String> out = new ArrayList<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                out.add(e.getName());
            }
        }
        return out;
    }

    private static byte[] inspect(byte[] tar, BackupManifest manifest, boolean dropWal, int chunk) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TarInspector t = new TarInspector(out, manifest, dropWal);
        for (int i = 0; i < tar.length; i += chunk) {
            t.write(tar, i, Math.min(chunk, tar.length - i));
        }
        t.finish();
        return out.toByteArray();
    }

    @Test
    void drops_wal_files_keeps_long_names_and_ends_with_two_zero_blocks() throws IOException {
        for (int mode : new int[]{TarArchiveOutputStream.LONGFILE_GNU, TarArchiveOutputStream.LONGFILE_POSIX}) {
            for (int chunk : new int[]{1, 7, 512, 100_000}) {
                byte[] out = inspect(tar(mode), null, true, chunk);
                assertThat(names(out)).containsExactly("global/", "PG_VERSION", LONG, "global/pg_control");
                for (int i = out.length - 1024; i < out.length; i++) {
                    assertThat(out[i]).isZero();
                }
            }
            assertThat(names(inspect(tar(mode), null, false, 4096))).contains("pg_wal/000000010000000000000001");
        }
    }

    @Test
    void manifest_lists_files_with_sizes_and_little_endian_crc32c_and_checks_itself() throws Exception {
        BackupManifest m = new BackupManifest("CRC32C", false);
        inspect(tar(TarArchiveOutputStream.LONGFILE_GNU), m, false, 1000);
        String text = new String(m.finish(1, 0x3000028L, 0x30000A0L), StandardCharsets.UTF_8);
        CRC32C crc = new CRC32C();
        crc.update("15\n".getBytes(StandardCharsets.US_ASCII));
        long v = crc.getValue();
        String le = HexFormat.of().formatHex(new byte[]{(byte) v, (byte) (v >>> 8), (byte) (v >>> 16),
                (byte) (v >>> 24)});
        assertThat(text).startsWith("{ \"PostgreSQL-Backup-Manifest-Version\": 1,\n\"Files\": [\n")
                .contains("{ \"Path\": \"PG_VERSION\", \"Size\": 3, \"Last-Modified\": \"2023-11-14 22:13:20 GMT\", "
                        + "\"Checksum-Algorithm\": \"CRC32C\", \"Checksum\": \"" + le + "\" }")
                .contains("\"Path\": \"" + LONG + "\"")
                .doesNotContain("pg_wal/")
                .contains("\"WAL-Ranges\": [\n{ \"Timeline\": 1, \"Start-LSN\": \"0/3000028\", \"End-LSN\": "
                        + "\"0/30000A0\" }\n],\n");
        int at = text.indexOf("\"Manifest-Checksum\": \"");
        byte[] covered = text.substring(0, at).getBytes(StandardCharsets.UTF_8);
        String sum = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(covered));
        assertThat(text.substring(at)).isEqualTo("\"Manifest-Checksum\": \"" + sum + "\"}\n");
    }

    @Test
    void refuses_a_tar_that_ends_inside_an_entry() throws IOException {
        byte[] whole = tar(TarArchiveOutputStream.LONGFILE_GNU);
        TarInspector t = new TarInspector(new ByteArrayOutputStream(), null, false);
        t.write(whole, 0, 2000);
        org.assertj.core.api.Assertions.assertThatThrownBy(t::finish).hasMessageContaining("ended inside an entry");
    }
}

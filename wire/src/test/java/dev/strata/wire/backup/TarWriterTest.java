package dev.strata.wire.backup;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TarWriterTest {
    @Test
    void entries_read_back_with_commons_compress_with_valid_checksums() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TarWriter tar = new TarWriter(out, 1_700_000_000L, BackupWriter.Listener.NONE);
        tar.directory("base");
        tar.file("base/PG_VERSION", "15\n".getBytes());
        tar.file("empty", new byte[0]);
        String longest = "d/" + "x".repeat(98);
        tar.file(longest, new byte[513]);
        tar.finish();
        assertThat(out.size() % 512).isZero();
        assertThat(out.size()).isEqualTo(tar.bytesWritten())
                .isEqualTo(512 + TarWriter.entrySize(3) + TarWriter.entrySize(0) + TarWriter.entrySize(513) + 1024);
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(out.toByteArray()))) {
            TarArchiveEntry e = in.getNextEntry();
            assertThat(e.getName()).isEqualTo("base/");
            assertThat(e.isDirectory()).isTrue();
            assertThat(e.isCheckSumOK()).isTrue();
            e = in.getNextEntry();
            assertThat(e.getName()).isEqualTo("base/PG_VERSION");
            assertThat(new String(in.readAllBytes())).isEqualTo("15\n");
            assertThat(e.getModTime().getTime()).isEqualTo(1_700_000_000_000L);
            assertThat(in.getNextEntry().getSize()).isZero();
            e = in.getNextEntry();
            assertThat(e.getName()).isEqualTo(longest);
            assertThat(in.readAllBytes()).hasSize(513);
            assertThat(in.getNextEntry()).isNull();
        }
    }

    @Test
    void names_pg_basebackup_could_not_read_are_refused() {
        TarWriter tar = new TarWriter(new ByteArrayOutputStream(), 0, BackupWriter.Listener.NONE);
        assertThatThrownBy(() -> tar.file("x".repeat(101), new byte[0])).hasMessageContaining("1 to 100 bytes");
        assertThatThrownBy(() -> tar.file("/etc/passwd", new byte[0])).hasMessageContaining("relative");
        assertThatThrownBy(() -> tar.file("base/../x", new byte[0])).hasMessageContaining("'..'");
    }

    @Test
    void content_must_match_the_declared_size() throws Exception {
        TarWriter tar = new TarWriter(new ByteArrayOutputStream(), 0, BackupWriter.Listener.NONE);
        tar.beginFile("f", 10);
        tar.write(new byte[4], 0, 4);
        assertThatThrownBy(tar::endFile).hasMessageContaining("6 bytes short");
        TarWriter over = new TarWriter(new ByteArrayOutputStream(), 0, BackupWriter.Listener.NONE);
        over.beginFile("f", 2);
        assertThatThrownBy(() -> over.write(new byte[3], 0, 3)).hasMessageContaining("overruns");
    }
}

package dev.strata.replication.basebackup;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TarReaderTest {
    private static byte[] tar(Object... nameAndContent) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
            for (int i = 0; i < nameAndContent.length; i += 2) {
                String name = (String) nameAndContent[i];
                byte[] data = (byte[]) nameAndContent[i + 1];
                TarArchiveEntry e = new TarArchiveEntry(name);
                e.setSize(data == null ? 0 : data.length);
                t.putArchiveEntry(e);
                if (data != null) {
                    t.write(data);
                }
                t.closeArchiveEntry();
            }
        }
        return out.toByteArray();
    }

    /** Delivers the bytes a few at a time, as CopyData messages split an archive. */
    private static InputStream trickle(byte[] b, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        return new ByteArrayInputStream(b) {
            @Override
            public synchronized int read(byte[] buf, int off, int len) {
                return super.read(buf, off, Math.min(len, 1 + rnd.nextInt(700)));
            }
        };
    }

    @Test
    void readsFilesDirectoriesAndEmptyFilesInOrderAcrossArbitraryChunking() throws IOException {
        byte[] page = new byte[8192 * 3 + 100];
        new SplittableRandom(7).nextBytes(page);
        byte[] archive = tar("base/5/", null, "base/5/16384", page, "base/5/empty", new byte[0],
                "global/pg_control", new byte[] {1, 2, 3});
        TarReader r = new TarReader(trickle(archive, 42), "base.tar");
        TarReader.Entry dir = r.next();
        assertThat(dir.name()).isEqualTo("base/5/");
        assertThat(dir.isDirectory()).isTrue();
        TarReader.Entry f = r.next();
        assertThat(f.name()).isEqualTo("base/5/16384");
        assertThat(f.data().readAllBytes()).isEqualTo(page);
        TarReader.Entry empty = r.next();
        assertThat(empty.size()).isZero();
        TarReader.Entry ctl = r.next();
        assertThat(ctl.name()).isEqualTo("global/pg_control");
        assertThat(ctl.data().readAllBytes()).containsExactly(1, 2, 3);
        assertThat(r.next()).isNull();
    }

    @Test
    void unreadEntryDataIsSkipped() throws IOException {
        byte[] archive = tar("a", new byte[5000], "b", new byte[] {9});
        TarReader r = new TarReader(new ByteArrayInputStream(archive), "x.tar");
        r.next();
        TarReader.Entry b = r.next();
        assertThat(b.name()).isEqualTo("b");
        assertThat(b.data().readAllBytes()).containsExactly(9);
    }

    @Test
    void corruptHeaderIsReportedWithArchiveAndOffset() throws IOException {
        byte[] archive = tar("a", new byte[600], "b", new byte[] {9});
        archive[1536 + 3] ^= 0x55;
        TarReader r = new TarReader(new ByteArrayInputStream(archive), "base.tar");
        r.next();
        assertThatThrownBy(r::next).hasMessageContaining("base.tar").hasMessageContaining("offset 1536")
                .hasMessageContaining("checksum");
    }

    @Test
    void archiveEndingInsideAnEntryIsAnError() throws IOException {
        byte[] archive = tar("a", new byte[5000]);
        byte[] cut = java.util.Arrays.copyOf(archive, 512 + 1000);
        TarReader r = new TarReader(new ByteArrayInputStream(cut), "base.tar");
        TarReader.Entry e = r.next();
        assertThatThrownBy(() -> e.data().readAllBytes()).hasMessageContaining("ends inside an entry");
    }
}

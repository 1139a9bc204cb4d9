package dev.strata.wire.backup;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class PageChecksumTest {
    private static final int PAGES = 40;

    /** Random pages (seeded) with pd_upper set, so that none is "new". */
    private static byte[] randomPages(long seed) {
        Random rnd = new Random(seed);
        byte[] data = new byte[PAGES * 8192];
        rnd.nextBytes(data);
        for (int i = 0; i < PAGES; i++) {
            data[i * 8192 + 14] = 0x40;
            data[i * 8192 + 15] = 0x1F;
        }
        return data;
    }

    private static Path cluster(Path dir, byte[] relation, int relsegno) throws Exception {
        Files.createDirectories(dir.resolve("global"));
        Files.createDirectories(dir.resolve("base/5"));
        Files.createDirectories(dir.resolve("pg_tblspc"));
        byte[] cp = Fixtures.checkpoint(0x3000028L);
        byte[] control = ControlFile.parse(Fixtures.control(cp, 16 << 20, 1), "t")
                .forCheckpoint(ControlFile.DB_SHUTDOWNED, 0x3000028L, CheckPoint.parse(cp, "t"), 0, 1L);
        Files.write(dir.resolve("global/pg_control"), control);
        Files.write(dir.resolve("base/5/16384" + (relsegno == 0 ? "" : "." + relsegno)), relation);
        return dir;
    }

    @Test
    void pg_checksums_accepts_every_page_checksummed_here(@TempDir Path dir) throws Exception {
        assumeTrue(PgTools.available(), PgTools.hint());
        long seed = System.nanoTime();
        System.out.println("PageChecksumTest seed " + seed);
        byte[] data = randomPages(seed);
        for (int i = 0; i < PAGES; i++) {
            // block numbers count within the fork, so the second segment starts at 131072
            PageChecksum.set(data, i * 8192, 131072 + i);
        }
        PgTools.Result r = PgTools.run("pg_checksums", "--check", "-D", cluster(dir, data, 1).toString());
        assertThat(r.output()).contains("Bad checksums:  0").contains("Blocks scanned:  " + PAGES);
        assertThat(r.exit()).isZero();
    }

    @Test
    void checksum_equals_what_pg_checksums_calculates_for_wrong_pages(@TempDir Path dir) throws Exception {
        assumeTrue(PgTools.available(), PgTools.hint());
        long seed = System.nanoTime();
        System.out.println("PageChecksumTest seed " + seed);
        byte[] data = randomPages(seed);
        PgTools.Result r = PgTools.run("pg_checksums", "--check", "-D", cluster(dir, data, 0).toString());
        Matcher m = Pattern.compile("block (\\d+): calculated checksum ([0-9A-F]+) but block contains")
                .matcher(r.output());
        int seen = 0;
        while (m.find()) {
            int blk = Integer.parseInt(m.group(1));
            int expected = Integer.parseInt(m.group(2), 16);
            assertThat(PageChecksum.compute(data, blk * 8192, blk) & 0xFFFF).as("block " + blk).isEqualTo(expected);
            seen++;
        }
        assertThat(seen).as(r.output()).isGreaterThan(PAGES - 2);
    }

    @Test
    void new_pages_keep_no_checksum() {
        byte[] page = new byte[8192];
        PageChecksum.set(page, 0, 7);
        assertThat(page).containsOnly(0);
    }
}

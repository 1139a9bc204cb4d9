package dev.strata.it.wal;

import dev.strata.it.TestPrimary;
import dev.strata.storage.pg.Lsn;
import dev.strata.storage.wal.BlockImages;
import dev.strata.storage.wal.BlockRef;
import dev.strata.storage.wal.DecodedRecord;
import dev.strata.storage.wal.WalSegmentReader;
import dev.strata.storage.wal.WalStreamDecoder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Drives a real PostgreSQL 15 primary through a mixed workload once per {@code wal_compression} setting and checks
 * that {@code strata waldump} and PostgreSQL's own {@code pg_waldump} agree on every record of the range: lsn,
 * prev, rmgr, record type, lengths, xid and every block reference. Every full-page image in the range is also
 * restored (decompressed) to check that it yields exactly one page.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WaldumpAgreesWithPgWaldumpTest {
    private TestPrimary pg;

    @BeforeAll
    void startPrimary() throws Exception {
        assumeTrue(TestPrimary.available(), TestPrimary.installHint());
        pg = TestPrimary.builder().setting("full_page_writes", "on").setting("autovacuum", "off")
                .setting("wal_keep_size", "1GB").start();
    }

    @AfterAll
    void stopPrimary() {
        if (pg != null) {
            pg.close();
        }
    }

    @ParameterizedTest(name = "wal_compression={0}")
    @ValueSource(strings = {"off", "pglz", "lz4", "zstd"})
    void strata_waldump_agrees_with_pg_waldump_on_every_record(String compression) throws Exception {
        pg.sql("ALTER SYSTEM SET wal_compression = '" + compression + "'", "SELECT pg_reload_conf()");
        assertThat(pg.queryString("SHOW wal_compression")).isEqualTo(compression);
        pg.sql("CHECKPOINT");
        long start = pg.currentInsertLsn();
        MixedWorkload.run(pg, compression);
        pg.sql("CHECKPOINT");
        long end = pg.currentInsertLsn();
        waitForFlush(end);

        String walDir = pg.walDir().toString();
        String pgOut = pg.tool("pg_waldump", "--path", walDir, "--start", Lsn.format(start), "--end", Lsn.format(end));
        StrataWaldump strata = StrataWaldump.run("--path", walDir, "--start", Lsn.format(start), "--end",
                Lsn.format(end));
        assertThat(strata.exitCode()).as(strata.err()).isZero();

        List<WaldumpLine> expected = WaldumpLine.parseAll(pgOut);
        List<WaldumpLine> actual = WaldumpLine.parseAll(strata.out());
        for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
            if (!expected.get(i).sameFields(actual.get(i))) {
                fail("record %d differs:%n pg_waldump: %s%n strata:     %s", i, expected.get(i).text(),
                        actual.get(i).text());
            }
        }
        assertThat(actual).hasSameSizeAs(expected);
        Map<String, Integer> perRmgr = new TreeMap<>();
        expected.forEach(l -> perRmgr.merge(l.rmgr(), 1, Integer::sum));
        int images = restoreEveryImage(walDir, start, end, compression);
        assertThat(streamDecode(pg.walDir(), start, end)).as("records decoded from the stream")
                .isEqualTo(expected.stream().map(l -> Lsn.parse(l.lsn())).toList());
        System.out.printf("wal_compression=%s: %d records agree (%s to %s), %d page images restored; per rmgr %s%n",
                compression, expected.size(), Lsn.format(start), Lsn.format(end), images, perRmgr);
        assertThat(perRmgr.keySet()).contains("Heap", "Heap2", "Btree", "Hash", "Gin", "Gist", "SPGist", "BRIN",
                "Sequence", "Transaction", "XLOG", "Database", "Storage");
    }

    /** Restores every page image in the range; compressed rounds must contain images of their method. */
    private int restoreEveryImage(String walDir, long start, long end, String compression) {
        int restored = 0;
        int ofMethod = 0;
        int flag = switch (compression) {
            case "pglz" -> BlockRef.BKPIMAGE_COMPRESS_PGLZ;
            case "lz4" -> BlockRef.BKPIMAGE_COMPRESS_LZ4;
            case "zstd" -> BlockRef.BKPIMAGE_COMPRESS_ZSTD;
            default -> 0;
        };
        try (WalSegmentReader reader = WalSegmentReader.open(Path.of(walDir), 0, start, end)) {
            for (DecodedRecord r = reader.next(); r != null; r = reader.next()) {
                for (int i = 0; i <= r.maxBlockId(); i++) {
                    BlockRef b = r.block(i);
                    if (b != null && b.hasImage()) {
                        byte[] page = BlockImages.restore(r, b);
                        assertThat(page).hasSize(8192);
                        restored++;
                        if (flag != 0 && (b.bimgInfo() & flag) != 0) {
                            ofMethod++;
                        }
                        assertThat(b.imageCompressed()).as("no image compressed with wal_compression=off")
                                .isEqualTo(flag != 0 && b.imageCompressed());
                    }
                }
            }
        }
        assertThat(restored).as("full-page images after a checkpoint").isPositive();
        if (flag != 0) {
            assertThat(ofMethod).as("images compressed with " + compression).isPositive();
        }
        return restored;
    }

    /**
     * Feeds the segment bytes of the range to a {@link WalStreamDecoder} in random-sized chunks, as a WAL sender's
     * messages would arrive, starting at the page holding {@code start}; returns the LSNs of the records in range.
     */
    private static List<Long> streamDecode(Path walDir, long start, long end) throws IOException {
        long seed = System.nanoTime();
        System.out.println("stream decode chunk seed " + seed);
        Random rnd = new Random(seed);
        int segSize = 16 << 20;
        long pos = start - start % 8192;
        WalStreamDecoder d = new WalStreamDecoder(pos, segSize);
        List<Long> lsns = new ArrayList<>();
        while (pos < end) {
            long segno = pos / segSize;
            Path file = walDir.resolve(String.format("%08X%08X%08X", 1, segno / 256, segno % 256));
            byte[] seg = Files.readAllBytes(file);
            int off = (int) (pos % segSize);
            while (off < segSize && pos < end) {
                int n = Math.min(segSize - off, 1 + rnd.nextInt(200_000));
                d.feed(ByteBuffer.wrap(seg, off, n));
                off += n;
                pos += n;
                for (DecodedRecord r = d.next(); r != null; r = d.next()) {
                    if (r.lsn() >= start && d.lastRecordDataEnd() <= end) {
                        lsns.add(r.lsn());
                    }
                }
            }
        }
        return lsns;
    }

    private void waitForFlush(long lsn) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (Long.compareUnsigned(pg.currentFlushLsn(), lsn) < 0) {
            if (System.nanoTime() > deadline) {
                fail("WAL not flushed up to %s", Lsn.format(lsn));
            }
            Thread.sleep(20);
        }
    }
}

package dev.strata.storage.timeline;

import dev.strata.storage.key.Key;
import dev.strata.storage.pg.RelTag;
import dev.strata.storage.tenant.LocalTenantManager;
import dev.strata.storage.value.Value;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When image creation images a partition although fewer than image_creation_threshold deltas lie above it: only
 * when the deltas' bytes for its keys reach half of its image's.
 */
class ImageCreationPolicyTest {
    private static final RelTag REL = new RelTag(1663, 5, 16384, 0);
    /** 64 KiB image partitions: 8 keys each. */
    private static final int KEYS = 64;

    @TempDir
    Path dir;

    private EngineConfig config() {
        // a threshold no test reaches, so that only the byte rule can image anything
        return new EngineConfig().withSmallLimitsForTests().imageCreationThreshold(50)
                .compactionPeriod(Duration.ZERO).gcPeriod(Duration.ZERO);
    }

    private static long imageLayers(Timeline tl) {
        return tl.layers().stream().filter(l -> l.kind().equals("image")).count();
    }

    private static byte[] filled(int size, int seed) {
        byte[] b = new byte[size];
        Arrays.fill(b, (byte) seed);
        return b;
    }

    @Test
    void pagesBuiltByTheirOwnRecordsAreImagedAfterCompaction() {
        try (LocalTenantManager m = new LocalTenantManager(dir, config(), new AppendRedo())) {
            Timeline tl = m.createTenant(null).createTimeline(null, 100);
            TimelineWriter w = tl.writer();
            long lsn = 100;
            // a bulk load as WAL: every page initialised by one record carrying about a page, then a small one
            for (int blk = 0; blk < KEYS; blk++) {
                w.put(Key.relBlock(REL, blk), lsn + 10, Value.pgRecord(filled(8000, blk), true));
                w.finishRecord(lsn, lsn + 10);
                w.put(Key.relBlock(REL, blk), lsn + 20, Value.pgRecord(filled(40, blk + 1), false));
                w.finishRecord(lsn + 10, lsn + 20);
                lsn += 20;
            }
            tl.checkpoint();
            String result = tl.compact();

            assertThat(result).contains("image creation: " + KEYS / 8 + " image layers (" + KEYS + " keys)");
            assertThat(imageLayers(tl)).isEqualTo(KEYS / 8);
            for (int blk = 0; blk < KEYS; blk++) {
                byte[] page = tl.get(Key.relBlock(REL, blk), lsn);
                assertThat(page).hasSize(8040);
                assertThat(page[0]).isEqualTo((byte) blk);
                assertThat(page[8039]).isEqualTo((byte) (blk + 1));
            }
            // nothing changed since: the deltas are not counted again and nothing is imaged twice
            assertThat(tl.compact()).contains("no key range");
            assertThat(imageLayers(tl)).isEqualTo(KEYS / 8);
        }
    }

    @Test
    void scatteredSmallUpdatesAboveImagesMakeNoImages() {
        try (LocalTenantManager m = new LocalTenantManager(dir, config(), new AppendRedo())) {
            Timeline tl = m.createTenant(null).createTimeline(null, 100);
            TimelineWriter w = tl.writer();
            // the import: every page as an image at the start LSN
            for (int blk = 0; blk < KEYS; blk++) {
                w.put(Key.relBlock(REL, blk), 100, Value.image(filled(8192, blk)));
            }
            w.finishRecord(100, 100);
            long lsn = 100;
            // then one small record on every fourth page, three times over
            for (int round = 0; round < 3; round++) {
                for (int blk = round; blk < KEYS; blk += 4) {
                    w.put(Key.relBlock(REL, blk), lsn + 10, Value.pgRecord(filled(120, round), false));
                    w.finishRecord(lsn, lsn + 10);
                    lsn += 10;
                }
            }
            tl.checkpoint();
            long importImages = imageLayers(tl);
            String result = tl.compact();

            assertThat(result).contains("L0 compaction");
            assertThat(imageLayers(tl)).as(result).isEqualTo(importImages);
            assertThat(tl.get(Key.relBlock(REL, 2), lsn)).hasSize(8192 + 120);
        }
    }
}

package dev.strata.storage.timeline;

import dev.strata.storage.key.Key;
import dev.strata.storage.pg.RelTag;
import dev.strata.storage.tenant.LocalTenantManager;
import dev.strata.storage.TestSeeds;
import dev.strata.storage.value.Value;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** A scanner answers every read as getOrNull does, whatever mix of in-memory, L0, L1 and image layers holds it. */
class TimelineScannerTest {
    private static final RelTag REL = new RelTag(1663, 5, 16384, 0);
    private static final int BLOCKS = 300;

    @TempDir
    Path dir;

    @Test
    void scannerReadsEqualPointReadsAcrossEveryKindOfLayer() {
        Random rnd = new Random(TestSeeds.seed("TimelineScannerTest"));
        EngineConfig config = new EngineConfig().withSmallLimitsForTests().compactionPeriod(Duration.ZERO)
                .gcPeriod(Duration.ZERO);
        try (LocalTenantManager m = new LocalTenantManager(dir, config, new AppendRedo())) {
            Timeline tl = m.createTenant(null).createTimeline(null, 100);
            TimelineWriter w = tl.writer();
            List<Long> lsns = new ArrayList<>();
            long lsn = 100;
            boolean[] exists = new boolean[BLOCKS];
            for (int step = 0; step < 4000; step++) {
                int blk = rnd.nextInt(BLOCKS - 20); // the last blocks never exist
                byte[] payload = new byte[1 + rnd.nextInt(rnd.nextInt(10) == 0 ? 3000 : 200)];
                rnd.nextBytes(payload);
                // a block's first record initialises it
                w.put(Key.relBlock(REL, blk), lsn + 8, Value.pgRecord(payload, !exists[blk] || rnd.nextInt(8) == 0));
                exists[blk] = true;
                w.finishRecord(lsn, lsn + 8);
                lsn += 8;
                if (step % 1000 == 999) {
                    lsns.add(lsn);
                    tl.checkpoint();
                    tl.compact();
                }
            }
            lsns.add(lsn); // the newest part stays in the open layer
            for (long at : lsns) {
                Timeline.Scanner scanner = tl.scanner();
                for (int blk = 0; blk < BLOCKS; blk++) {
                    Key k = Key.relBlock(REL, blk);
                    assertThat(scanner.getOrNull(k, at)).as("block %d at %d", blk, at)
                            .isEqualTo(tl.getOrNull(k, at));
                }
            }
            assertThat(tl.layers()).extracting(LayerInfo::kind).contains("delta-l1", "image", "in-memory");
        }
    }
}

package dev.strata.storage.redo.nbtree;

import dev.strata.storage.redo.page.PageOps;
import dev.strata.storage.redo.IndexRmgrs;
import dev.strata.storage.redo.RedoException;
import dev.strata.storage.redo.RmgrRedo;
import dev.strata.storage.wal.DecodedRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Random records against random and plausible pages, for each index resource manager: redo and mask either succeed
 * or throw a {@link RedoException} that names the record; nothing else escapes, and nothing hangs. The seed is
 * printed; {@code -Dstrata.seed=N} replays a run.
 */
class IndexRedoRejectsGarbageTest {
    private static final int[] SPECIAL_SIZES = {16, 8};

    @Test
    void randomRecordsAndPagesOnlyEverFailWithARedoExceptionNamingTheRecord() {
        long seed = Long.getLong("strata.seed", System.nanoTime());
        System.out.println("IndexRedoRejectsGarbageTest seed " + seed);
        Random rnd = new Random(seed);
        Map<Integer, RmgrRedo> rmgrs = new TreeMap<>();
        IndexRmgrs.registerAll(rmgrs);
        int[] outcomes = new int[2];
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int i = 0; i < 20_000; i++) {
                int rmid = (int) rmgrs.keySet().toArray()[rnd.nextInt(rmgrs.size())];
                one(rmgrs.get(rmid), rmid, rnd, seed, outcomes);
            }
        });
        System.out.printf("applied %d, rejected %d%n", outcomes[0], outcomes[1]);
        assertThat(outcomes[1]).isPositive();
    }

    private static void one(RmgrRedo redo, int rmid, Random rnd, long seed, int[] outcomes) {
        TestRecord b = TestRecord.of(rmid, rnd.nextInt(16) << 4).main(bytes(rnd, rnd.nextInt(4) == 0 ? 0 : 120));
        int nblocks = 1 + rnd.nextInt(5);
        for (int id = 0; id < nblocks; id++) {
            b.block(id, rnd.nextInt(4), bytes(rnd, rnd.nextInt(3) == 0 ? 0 : 200), rnd.nextBoolean());
        }
        DecodedRecord r = b.lsn(0x5_0000_0000L + 8L * rnd.nextInt(1000)).build();
        int blockId = rnd.nextInt(nblocks + 1);
        byte[] page = page(rnd);
        try {
            redo.redo(r, blockId, page);
            outcomes[0]++;
        } catch (RedoException e) {
            assertThat(e.getMessage()).as("seed %d", seed).contains(" at 5/");
            outcomes[1]++;
        } catch (RuntimeException e) {
            fail("seed " + seed + ": rmgr " + rmid + " info 0x" + Integer.toHexString(r.rmgrInfo()) + " block id "
                    + blockId + " threw " + e, e);
        }
        try {
            redo.mask(page(rnd), 1);
        } catch (RedoException e) {
            outcomes[1]++;
        }
    }

    /** All zeros, random bytes, or an initialised page with random items, as a base page. */
    private static byte[] page(Random rnd) {
        byte[] page = new byte[PageOps.BLCKSZ];
        switch (rnd.nextInt(3)) {
            case 0 -> {
            }
            case 1 -> rnd.nextBytes(page);
            default -> {
                IndexPage.pageInit(page, SPECIAL_SIZES[rnd.nextInt(2)]);
                byte[] special = new byte[16];
                rnd.nextBytes(special);
                System.arraycopy(special, 0, page, IndexPage.special(page),
                        PageOps.BLCKSZ - IndexPage.special(page));
                int n = rnd.nextInt(40);
                for (int i = 1; i <= n; i++) {
                    byte[] item = bytes(rnd, 64);
                    if (item.length >= 8) {
                        IndexRedoSupport.setTInfo(item, 0, item.length);
                    }
                    IndexPage.pageAddItem(page, item, 0, item.length, i, false);
                }
            }
        }
        return page;
    }

    private static byte[] bytes(Random rnd, int max) {
        byte[] b = new byte[max == 0 ? 0 : rnd.nextInt(max + 1)];
        rnd.nextBytes(b);
        return b;
    }
}

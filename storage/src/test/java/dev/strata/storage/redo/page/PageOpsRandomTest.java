package dev.strata.storage.redo.page;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.strata.storage.redo.page.PageOps.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Seeded random sequences of page operations, checked against a model of what each item should hold: every
 * surviving item keeps its bytes, line pointers stay inside tuple space without overlapping, and the header stays
 * sane. The seed is printed; rerun one with {@code -Dstrata.seed=N}.
 */
class PageOpsRandomTest {
    private static final int ROUNDS = Boolean.getBoolean("strata.heavy") ? 2000 : 100;

    private static long seed() {
        long seed = Long.getLong("strata.seed", System.nanoTime());
        System.out.println("PageOpsRandomTest seed " + seed);
        return seed;
    }

    private static byte[] item(Random r, int len) {
        byte[] b = new byte[len];
        r.nextBytes(b);
        return b;
    }

    @Test
    void heapPageOperationsKeepEverySurvivingTuple() {
        long seed = seed();
        Random r = new Random(seed);
        for (int round = 0; round < ROUNDS; round++) {
            byte[] page = new byte[BLCKSZ];
            pageInit(page, 0);
            Map<Integer, byte[]> model = new HashMap<>();
            for (int step = 0; step < 120; step++) {
                int op = r.nextInt(10);
                int maxoff = pageGetMaxOffsetNumber(page);
                if (op < 6) {
                    int off = maxoff + 1;
                    if (maxoff > 0 && r.nextBoolean()) {
                        int cand = 1 + r.nextInt(maxoff);
                        if (pageGetItemId(page, cand) == 0) {
                            off = cand;
                        }
                    }
                    byte[] it = item(r, 1 + r.nextInt(200));
                    if (pageAddItem(page, it, 0, it.length, off, true, true) == off) {
                        model.put(off, it);
                    }
                } else if (op < 8 && maxoff > 0) {
                    int off = 1 + r.nextInt(maxoff);
                    if (model.remove(off) != null) {
                        if (r.nextBoolean()) {
                            itemIdSetDead(page, off);
                        } else {
                            itemIdSetUnused(page, off);
                        }
                    }
                } else {
                    pageRepairFragmentation(page);
                }
                check(page, model, "seed " + seed + " round " + round + " step " + step);
            }
        }
    }

    @Test
    void indexPageDeletesAndOverwritesKeepEverySurvivingTuple() {
        long seed = seed();
        Random r = new Random(seed);
        for (int round = 0; round < ROUNDS; round++) {
            byte[] page = new byte[BLCKSZ];
            pageInit(page, 16);
            List<byte[]> model = new ArrayList<>();
            for (int step = 0; step < 100; step++) {
                int n = model.size();
                int op = r.nextInt(10);
                if (op < 5 || n == 0) {
                    byte[] it = item(r, 8 * (1 + r.nextInt(12)));
                    int off = 1 + r.nextInt(n + 1);
                    if (pageAddItem(page, it, 0, it.length, off, false, false) == off) {
                        model.add(off - 1, it);
                    }
                } else if (op < 7) {
                    int k = 1 + r.nextInt(Math.min(n, 5));
                    int[] offs = r.ints(1, n + 1).distinct().limit(k).sorted().toArray();
                    pageIndexMultiDelete(page, offs, offs.length);
                    for (int i = offs.length - 1; i >= 0; i--) {
                        model.remove(offs[i] - 1);
                    }
                } else if (op < 9) {
                    int off = 1 + r.nextInt(n);
                    byte[] it = item(r, 8 * (1 + r.nextInt(12)));
                    if (pageIndexTupleOverwrite(page, off, it, 0, it.length)) {
                        model.set(off - 1, it);
                    }
                } else {
                    int off = 1 + r.nextInt(n);
                    pageIndexTupleDelete(page, off);
                    model.remove(off - 1);
                }
                Map<Integer, byte[]> m = new HashMap<>();
                for (int i = 0; i < model.size(); i++) {
                    m.put(i + 1, model.get(i));
                }
                assertThat(pageGetMaxOffsetNumber(page)).isEqualTo(model.size());
                check(page, m, "seed " + seed + " round " + round + " step " + step);
            }
        }
    }

    private static void check(byte[] page, Map<Integer, byte[]> model, String where) {
        int lower = pageGetLower(page);
        int upper = pageGetUpper(page);
        int special = pageGetSpecial(page);
        if (lower < 24 || lower > upper || upper > special) {
            throw new AssertionError(where + ": header lower " + lower + " upper " + upper + " special " + special);
        }
        boolean[] used = new boolean[BLCKSZ];
        for (Map.Entry<Integer, byte[]> e : model.entrySet()) {
            int off = itemIdGetOffset(page, e.getKey());
            int len = itemIdGetLength(page, e.getKey());
            if (itemIdGetFlags(page, e.getKey()) != LP_NORMAL || len != e.getValue().length || off < upper
                    || off + len > special || !Arrays.equals(page, off, off + len, e.getValue(), 0, len)) {
                throw new AssertionError(where + ": item " + e.getKey() + " at " + off + " len " + len
                        + " does not hold its " + e.getValue().length + " bytes");
            }
            for (int i = off; i < off + Bytes.maxAlign(len); i++) {
                if (used[i]) {
                    throw new AssertionError(where + ": items overlap at byte " + i);
                }
                used[i] = true;
            }
        }
    }
}

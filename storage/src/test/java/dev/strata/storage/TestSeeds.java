package dev.strata.storage;

/** The seed of a randomised test: {@code -Dstrata.seed=N} replays a run, otherwise a fresh one, printed either way. */
public final class TestSeeds {
    private TestSeeds() {
    }

    /** Returns the seed and prints it under {@code label}, with the option that replays it. */
    public static long seed(String label) {
        long seed = Long.getLong("strata.seed", System.nanoTime());
        System.out.println(label + " seed " + seed + " (replay with -Dstrata.seed=" + seed + ")");
        return seed;
    }
}

package dev.strata.bench.report;

import java.util.Locale;

/**
 * A target a figure must meet, as an issue states it.
 *
 * @param atMost true for "at most target" (times, latency ratios), false for "at least target" (rates, speedups)
 * @param source where the goal is stated, e.g. "issue 6"
 */
public record Goal(boolean atMost, double target, String source) {
    public static Goal atMost(double target, String source) {
        return new Goal(true, target, source);
    }

    public static Goal atLeast(double target, String source) {
        return new Goal(false, target, source);
    }

    public boolean met(double value) {
        return atMost ? value <= target : value >= target;
    }

    public String text() {
        String t = target == Math.rint(target) ? String.format(Locale.ROOT, "%,.0f", target)
                : String.format(Locale.ROOT, "%.2f", target);
        return (atMost ? "≤ " : "≥ ") + t;
    }
}

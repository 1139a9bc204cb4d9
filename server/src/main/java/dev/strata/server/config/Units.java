package dev.strata.server.config;

import java.time.Duration;
import java.util.Locale;

/** Parsing of sizes ({@code 256MB}) and durations ({@code 10s}) as they are written in options and strata.conf. */
public final class Units {
    private Units() {
    }

    /**
     * Bytes: a number with an optional unit {@code B, kB, MB, GB, TB} (powers of 1024, case-insensitive, as
     * PostgreSQL's memory settings).
     */
    public static long parseSize(String text) {
        String t = text.trim();
        int i = 0;
        while (i < t.length() && Character.isDigit(t.charAt(i))) {
            i++;
        }
        if (i == 0) {
            throw new IllegalArgumentException("not a size: '" + text + "' (expected e.g. 256MB, 64kB or 1048576)");
        }
        long n = Long.parseLong(t.substring(0, i));
        String unit = t.substring(i).trim().toUpperCase(Locale.ROOT);
        long mult = switch (unit) {
            case "", "B" -> 1L;
            case "K", "KB" -> 1L << 10;
            case "M", "MB" -> 1L << 20;
            case "G", "GB" -> 1L << 30;
            case "T", "TB" -> 1L << 40;
            default -> throw new IllegalArgumentException("unknown size unit '" + t.substring(i).trim() + "' in '"
                    + text + "' (expected B, kB, MB, GB or TB)");
        };
        return Math.multiplyExact(n, mult);
    }

    /** A duration: a number with a unit {@code ms, s, min (or m), h, d}; a bare number is seconds. */
    public static Duration parseDuration(String text) {
        String t = text.trim();
        int i = 0;
        while (i < t.length() && Character.isDigit(t.charAt(i))) {
            i++;
        }
        if (i == 0) {
            throw new IllegalArgumentException("not a duration: '" + text + "' (expected e.g. 500ms, 10s, 5min, 1h)");
        }
        long n = Long.parseLong(t.substring(0, i));
        String unit = t.substring(i).trim().toLowerCase(Locale.ROOT);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "", "s" -> Duration.ofSeconds(n);
            case "m", "min" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> throw new IllegalArgumentException("unknown duration unit '" + unit + "' in '" + text
                    + "' (expected ms, s, min, h or d)");
        };
    }

    /** Bytes for people: {@code 1.5 MiB}. */
    public static String formatSize(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}

package dev.strata.bench.report;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Locale;

/** Figures computed from JMH scores rather than shown as they are. */
final class JmhDerived {
    /** Pages each image-creation shot writes (EngineMaintenanceBenchmark.PAGES). */
    static final int IMAGE_PAGES = 16_384;

    private JmhDerived() {
    }

    /** Engine read latency with 10 deltas above the image over image-only, both compacted into L1 (issue 3). */
    static Figure reconstructRatio(RawResults raw) {
        JsonNode ten = raw.jmh("EngineReadBenchmark.getPage", "deltas=10:layout=l1");
        JsonNode zero = raw.jmh("EngineReadBenchmark.getPage", "deltas=0:layout=l1");
        double t = score(ten);
        double z = score(zero);
        return new Figure("reconstruct10_ratio_vs_image", "Engine read with 10 deltas above the image (L1, redo "
                + "excluded)", t, "µs", "image only", z, t / z, Goal.atMost(2.0, "issue 3"),
                relativeNoise(ten, zero), "JMH EngineReadBenchmark");
    }

    /**
     * Pages per second of image creation: the pages of one shot over the shot's time. Issue 3's goal is per core,
     * so it applies to the benchmark's own pages per CPU second (an end-to-end figure of the catalogue).
     */
    static Figure imageCreationRate(RawResults raw) {
        JsonNode r = raw.jmh("EngineMaintenanceBenchmark.imageCreation", null);
        double ms = score(r);
        double rate = IMAGE_PAGES / (ms / 1000);
        return new Figure(null, "Image creation, wall clock (rebuild and write-behind writer, fsync included)", rate,
                "pages/s", null, Double.NaN, Double.NaN, null, relativeNoise(r, null), "JMH EngineMaintenanceBenchmark");
    }

    /** Engine ingest in MB/s for one value size: records/s times the value size. */
    static Figure ingestRate(RawResults raw, int valueBytes) {
        JsonNode r = raw.jmh("EngineIngestBenchmark.ingest", "valueBytes=" + valueBytes);
        double mbs = score(r) * valueBytes / 1e6;
        return new Figure(null, "Engine ingest of " + valueBytes + "-byte values (put + commit, flushes included)",
                mbs, "MB/s", null, Double.NaN, Double.NaN, null, relativeNoise(r, null),
                "JMH EngineIngestBenchmark");
    }

    static double score(JsonNode r) {
        return r == null ? Double.NaN : r.path("primaryMetric").path("score").asDouble(Double.NaN);
    }

    /**
     * Run-to-run spread of a score: half the range of its measurement iterations relative to their median (JMH's
     * own 99.9 % interval is far wider than what separates two runs with the few iterations bench/run affords); for a
     * ratio, the two spreads added.
     */
    static String relativeNoise(JsonNode a, JsonNode b) {
        double e = rel(a) + (b == null ? 0 : rel(b));
        return Double.isFinite(e) ? String.format(Locale.ROOT, "±%.0f %%", 100 * e) : null;
    }

    static double rel(JsonNode r) {
        if (r == null) {
            return Double.NaN;
        }
        java.util.List<Double> v = new java.util.ArrayList<>();
        for (JsonNode fork : r.path("primaryMetric").path("rawData")) {
            for (JsonNode x : fork) {
                v.add(x.asDouble());
            }
        }
        if (v.size() < 2) {
            return Double.NaN;
        }
        java.util.Collections.sort(v);
        double median = v.get(v.size() / 2);
        return median == 0 ? Double.NaN : (v.get(v.size() - 1) - v.get(0)) / 2 / Math.abs(median);
    }
}

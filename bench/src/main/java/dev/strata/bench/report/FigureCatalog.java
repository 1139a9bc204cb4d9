package dev.strata.bench.report;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Every figure the report shows, where it comes from, and the goal the issues set for it. End-to-end figures are
 * read from the JSON each benchmark main writes (their fields are named after the results.json keys); JMH figures
 * from JMH's result file.
 */
public final class FigureCatalog {
    /**
     * An end-to-end figure.
     *
     * @param value           field holding Strata's figure
     * @param baselineField   field holding the baseline's figure (null: none)
     * @param ratioField      field holding the exported ratio (null: none)
     * @param valueSamples    field with the per-repetition figures of the ratio's numerator, Strata's figure for
     *                        most (null: no noise estimate; for the waldump ratio, a time ratio, pg_waldump's)
     * @param baselineSamples field with the per-repetition figures of the ratio's denominator
     * @param noiseField      field with the benchmark's own estimate of the ratio's spread (null: none)
     */
    record E2e(String key, String what, String unit, String value, String baseline, String baselineField,
               String ratioField, Goal goal, String valueSamples, String baselineSamples, String noiseField) {
    }

    /** A JMH figure: the score of {@code benchmark} (ns/op unless {@code scale} converts it). */
    record Jmh(String key, String what, String unit, String benchmark, String params, double scale, Goal goal) {
    }

    static final List<E2e> E2E = List.of(
            new E2e("ingest_ratio_vs_standby", "WAL ingest rate (same pgbench WAL)", "MB/s", "ingest_mb_s",
                    "PostgreSQL 15 hot standby replay", "standby_mb_s", "ingest_ratio_vs_standby",
                    Goal.atLeast(3.0, "issue 5"), "ingest_mb_s_by_rep", "standby_mb_s_by_rep", null),
            new E2e(null, "WAL ingest per CPU second (same pgbench WAL)", "MB/CPU-s", "ingest_mb_per_cpu_s",
                    "PostgreSQL 15 hot standby replay", "standby_mb_per_cpu_s", "ingest_cpu_ratio_vs_standby", null,
                    "ingest_mb_per_cpu_s_by_rep", "standby_mb_per_cpu_s_by_rep", null),
            new E2e(null, "Largest lag behind the primary under pgbench, streaming live", "MB",
                    "strata_max_lag_mb", "hot standby, same primary, same time", "standby_max_lag_mb",
                    "live_lag_ratio_vs_standby", null, null, null, null),
            new E2e("getpage_p50_ratio_vs_echo", "GetPage latency p50, depth 1", "µs", "getpage_p50_us",
                    "8 KB loopback echo", "echo_p50_us", "getpage_p50_ratio_vs_echo", Goal.atMost(1.3, "issue 6"),
                    null, null, "noise_p50_ratio"),
            new E2e("getpage_p99_ratio_vs_echo", "GetPage latency p99, depth 1", "µs", "getpage_p99_us",
                    "8 KB loopback echo", "echo_p99_us", "getpage_p99_ratio_vs_echo", null, null, null, null),
            new E2e(null, "GetPage latency p99.9, depth 1", "µs", "getpage_p999_us", "8 KB loopback echo",
                    "echo_p999_us", "getpage_p999_ratio_vs_echo", null, null, null, null),
            new E2e(null, "GetPage throughput, depth 1", "req/s", "getpage_depth1_per_s", "8 KB loopback echo",
                    "echo_depth1_per_s", null, null, null, null, null),
            new E2e(null, "GetPage throughput, 8 connections at depth 1", "req/s", "getpage_8conn_per_s",
                    "one connection at depth 1", "getpage_depth1_per_s", "getpage_8conn_speedup", null, null, null,
                    null),
            new E2e("getpage_depth32_speedup", "GetPage throughput, one connection at depth 32", "req/s",
                    "getpage_depth32_per_s", "the same at depth 1", "getpage_depth1_per_s",
                    "getpage_depth32_speedup", Goal.atLeast(4.0, "issue 6"), "getpage_depth32_per_s_by_round", null,
                    null),
            new E2e("fullbackup_ratio_vs_pg_basebackup", "Full backup of a pgbench database, until on disk: "
                    + "pg_basebackup -c fast -X none -D from Strata's BASE_BACKUP (the same client on both sides)",
                    "s", "strata_seconds_median", "pg_basebackup -c fast -X none -D from the primary",
                    "pg_basebackup_seconds_median", "fullbackup_ratio_vs_pg_basebackup", Goal.atMost(1.0, "issue 6"),
                    "strata_seconds", "pg_basebackup_seconds", null),
            new E2e(null, "Full backup of a pgbench database, until on disk: Strata's fullbackup tar into GNU tar -x, "
                    + "then initdb --sync-only (pg_basebackup's fsync_pgdata)", "s", "tar_x_seconds_median",
                    "pg_basebackup -c fast -X none -D from the primary", "pg_basebackup_seconds_median",
                    "fullbackup_tar_x_ratio_vs_pg_basebackup", null, "tar_x_seconds", "pg_basebackup_seconds", null),
            new E2e("waldump_ratio_vs_pg_waldump", "WAL decode throughput (ratio: pg_waldump time / Strata time)",
                    "MB/s", "strata_mb_s", "pg_waldump", "pg_waldump_mb_s", "waldump_ratio_vs_pg_waldump",
                    Goal.atLeast(1.0, "issue 2"), "pg_waldump_ms", "strata_ms", null),
            new E2e(null, "Image creation per CPU second (whole process: rebuild, write-behind writer, JIT, GC)",
                    "pages/CPU-s", "image_pages_per_cpu_s", null, null, null, Goal.atLeast(30_000, "issue 3"),
                    "image_pages_per_cpu_s_by_shot", null, null),
            new E2e(null, "L0 to L1 compaction per CPU second (whole process)", "MB/CPU-s", "compaction_mb_per_cpu_s",
                    null, null, null, null, "compaction_mb_per_cpu_s_by_shot", null, null));

    /** Single JMH scores shown as they are (ns/op converted with {@code scale}). */
    static final List<Jmh> JMH = List.of(
            new Jmh("redo_heap_insert_us", "Redo of one heap insert record (decode + apply)", "µs",
                    "RedoBench.heapInsertRecord", null, 1e-3, Goal.atMost(2.0, "issue 4")),
            new Jmh(null, "Redo: heap insert applied (record decoded)", "µs", "RedoBench.heapInsert", null, 1e-3,
                    null),
            new Jmh(null, "Redo: HOT update", "µs", "RedoBench.heapHotUpdate", null, 1e-3, null),
            new Jmh(null, "Redo: btree leaf insert", "µs", "RedoBench.btreeLeafInsert", null, 1e-3, null),
            new Jmh(null, "Redo: btree split (left page)", "µs", "RedoBench.btreeSplit", null, 1e-3, null),
            new Jmh(null, "Redo: full-page image restore", "µs", "RedoBench.fpiRestore", null, 1e-3, null),
            new Jmh(null, "Redo: 8 KB page copy (baseline of the redo figures)", "µs", "RedoBench.baselinePageCopy",
                    null, 1e-3, null),
            new Jmh(null, "Engine read, 100 deltas above the image (L1, redo excluded)", "µs",
                    "EngineReadBenchmark.getPage", "deltas=100:layout=l1", 1, null),
            new Jmh(null, "Engine read, 10 deltas in L0 files (before compaction)", "µs",
                    "EngineReadBenchmark.getPage", "deltas=10:layout=l0", 1, null),
            new Jmh(null, "L0 to L1 compaction of ten L0 files", "ms", "EngineMaintenanceBenchmark.compaction", null,
                    1, null));

    private FigureCatalog() {
    }

    /** Every figure of the catalogue that the raw results hold (missing ones with NaN values). */
    public static List<Figure> extract(RawResults raw) {
        List<Figure> out = new ArrayList<>();
        for (E2e e : E2E) {
            out.add(e2e(raw, e));
        }
        out.add(JmhDerived.reconstructRatio(raw));
        out.add(JmhDerived.imageCreationRate(raw));
        for (int bytes : new int[]{100, 8192}) {
            out.add(JmhDerived.ingestRate(raw, bytes));
        }
        for (Jmh j : JMH) {
            out.add(jmh(raw, j));
        }
        return out;
    }

    private static Figure e2e(RawResults raw, E2e e) {
        JsonNode holder = raw.holder(e.ratioField() != null ? e.ratioField() : e.value());
        double value = num(holder, e.value());
        double base = e.baselineField() == null ? Double.NaN : num(holder, e.baselineField());
        double ratio = e.ratioField() == null ? Double.NaN : num(holder, e.ratioField());
        String source = holder == null ? "not run" : sourceName(raw, holder);
        String noise = noise(holder, e.valueSamples(), e.baselineSamples());
        if (noise == null && e.noiseField() != null && holder != null && holder.path(e.noiseField()).isNumber()) {
            noise = String.format(Locale.ROOT, "±%.2f", holder.get(e.noiseField()).asDouble());
        }
        return new Figure(e.key(), e.what(), value, e.unit(), e.baseline(), base, ratio, e.goal(), noise, source);
    }

    private static String sourceName(RawResults raw, JsonNode holder) {
        return holder.path("bench").asText("end-to-end");
    }

    private static Figure jmh(RawResults raw, Jmh j) {
        JsonNode r = raw.jmh(j.benchmark(), j.params());
        if (r == null) {
            return new Figure(j.key(), j.what(), Double.NaN, j.unit(), null, Double.NaN, Double.NaN, j.goal(), null,
                    "JMH " + j.benchmark() + " (not run)");
        }
        double score = r.path("primaryMetric").path("score").asDouble(Double.NaN);
        String noise = JmhDerived.relativeNoise(r, null);
        return new Figure(j.key(), j.what(), score * j.scale(), j.unit(), null, Double.NaN, Double.NaN, j.goal(),
                noise, "JMH " + j.benchmark());
    }

    private static double num(JsonNode holder, String field) {
        if (holder == null || field == null) {
            return Double.NaN;
        }
        JsonNode v = holder.get(field);
        return v != null && v.isNumber() ? v.asDouble() : Double.NaN;
    }

    /**
     * Run-to-run spread: half the range of the per-repetition ratios, relative to their median; or, with one
     * side's samples only, the same of that side.
     */
    static String noise(JsonNode holder, String valueSamples, String baselineSamples) {
        double[] v = samples(holder, valueSamples);
        double[] b = samples(holder, baselineSamples);
        double[] series;
        if (v.length > 1 && b.length == v.length) {
            series = new double[v.length];
            for (int i = 0; i < v.length; i++) {
                series[i] = v[i] / b[i];
            }
        } else if (v.length > 1) {
            series = v;
        } else {
            return null;
        }
        double[] sorted = series.clone();
        Arrays.sort(sorted);
        double median = sorted[sorted.length / 2];
        double half = (sorted[sorted.length - 1] - sorted[0]) / 2;
        return median == 0 ? null : String.format(Locale.ROOT, "±%.0f %%", 100 * half / Math.abs(median));
    }

    private static double[] samples(JsonNode holder, String field) {
        if (holder == null || field == null || !holder.path(field).isArray()) {
            return new double[0];
        }
        JsonNode a = holder.get(field);
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asDouble();
        }
        return out;
    }
}

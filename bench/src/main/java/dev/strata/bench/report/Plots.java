package dev.strata.bench.report;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The report's plots, drawn from what the benchmarks recorded: the GetPage latency distribution beside the echo
 * baseline's (percentile against latency, as HdrHistogram plots it), and the ingest rate and lag over time.
 */
final class Plots {
    private Plots() {
    }

    static List<MarkdownReport.Plot> write(RawResults raw, Path out) throws IOException {
        List<MarkdownReport.Plot> plots = new ArrayList<>();
        JsonNode latency = raw.holder("getpage_latency_distribution");
        if (latency == null) {
            latency = fromPercentileFields(raw.holder("getpage_p50_us"));
        }
        if (latency != null) {
            // x = -log10(1 - p): 0, 1, 2, 3, 4 are the 0th, 90th, 99th, 99.9th and 99.99th percentiles.
            SvgChart c = new SvgChart("GetPage latency at depth 1", "percentile", "latency (µs)").logY()
                    .xTicks(new double[]{0, 1, 2, 3, 4}, new String[]{"0%", "90%", "99%", "99.9%", "99.99%"});
            c.add(percentileSeries("Strata GetPage", latency.get("getpage_latency_distribution")));
            c.add(percentileSeries("8 KB loopback echo", latency.get("echo_latency_distribution")));
            DurableFile.write(out.resolve("getpage-latency.svg"), c.render());
            plots.add(new MarkdownReport.Plot("getpage-latency.svg", "GetPage latency distribution at depth 1"));
        }
        JsonNode ingest = raw.holder("ingest_timeline");
        if (ingest != null) {
            SvgChart rate = new SvgChart("Ingest rate over time", "seconds", "MB/s");
            add(rate, "Strata", ingest.get("ingest_timeline"), "t", "strata_mb_s");
            add(rate, "hot standby", ingest.get("ingest_timeline"), "t", "standby_mb_s");
            DurableFile.write(out.resolve("ingest-rate.svg"), rate.render());
            plots.add(new MarkdownReport.Plot("ingest-rate.svg", "Ingest rate over time"));
            SvgChart lag = new SvgChart("Lag behind the primary", "seconds", "MB of WAL");
            add(lag, "Strata", ingest.get("ingest_timeline"), "t", "strata_lag_mb");
            add(lag, "hot standby", ingest.get("ingest_timeline"), "t", "standby_lag_mb");
            DurableFile.write(out.resolve("ingest-lag.svg"), lag.render());
            plots.add(new MarkdownReport.Plot("ingest-lag.svg", "Lag behind the primary over time"));
        }
        return plots;
    }

    /**
     * A distribution of three points (p50, p99, p99.9) for each side, from the benchmark's summary fields, when it
     * did not record the whole histogram; null without them.
     */
    private static JsonNode fromPercentileFields(JsonNode b) {
        if (b == null) {
            return null;
        }
        com.fasterxml.jackson.databind.node.ObjectNode out = com.fasterxml.jackson.databind.node.JsonNodeFactory
                .instance.objectNode();
        String[][] sides = {{"getpage_latency_distribution", "getpage_"}, {"echo_latency_distribution", "echo_"}};
        for (String[] side : sides) {
            com.fasterxml.jackson.databind.node.ArrayNode a = out.putArray(side[0]);
            for (String[] p : new String[][]{{"50", "p50"}, {"99", "p99"}, {"99.9", "p999"}}) {
                JsonNode v = b.get(side[1] + p[1] + "_us");
                if (v != null && v.isNumber()) {
                    a.addObject().put("percentile", Double.parseDouble(p[0])).put("micros", v.asDouble());
                }
            }
        }
        return out;
    }

    /** Points {@code {percentile, micros}} as (-log10(1 - p/100), micros); the 100th percentile is left out. */
    private static SvgChart.Series percentileSeries(String name, JsonNode points) {
        List<double[]> pts = new ArrayList<>();
        if (points != null && points.isArray()) {
            for (JsonNode p : points) {
                double pct = p.path("percentile").asDouble(Double.NaN);
                if (pct < 100) {
                    pts.add(new double[]{-Math.log10(1 - pct / 100), p.path("micros").asDouble(Double.NaN)});
                }
            }
        }
        double[] xs = new double[pts.size()];
        double[] ys = new double[pts.size()];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = pts.get(i)[0];
            ys[i] = pts.get(i)[1];
        }
        return new SvgChart.Series(name, xs, ys);
    }

    /** Adds the series {@code (x, y)} read from an array of objects; absent arrays add nothing. */
    private static void add(SvgChart chart, String name, JsonNode points, String x, String y) {
        if (points == null || !points.isArray() || points.isEmpty()) {
            return;
        }
        double[] xs = new double[points.size()];
        double[] ys = new double[points.size()];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = points.get(i).path(x).asDouble(Double.NaN);
            ys[i] = points.get(i).path(y).asDouble(Double.NaN);
        }
        chart.add(new SvgChart.Series(name, xs, ys));
    }
}

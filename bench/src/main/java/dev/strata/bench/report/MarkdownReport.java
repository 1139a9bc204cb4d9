package dev.strata.bench.report;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes REPORT.md: when, where and on which commit the run measured; a table with every figure beside its
 * baseline, the ratio, the goal and whether it is met; the plots; and what failed to run.
 */
public final class MarkdownReport {
    /** A plot written next to the report. */
    public record Plot(String file, String title) {
    }

    private MarkdownReport() {
    }

    /**
     * @param meta     date, commit, mode, scale, duration_s
     * @param machine  {@link Machine#describe()}
     * @param problems benchmarks that did not produce their figures, with the reason
     * @param appendix more Markdown sections (every JMH result)
     */
    public static String render(Map<String, Object> meta, Map<String, Object> machine, List<Figure> figures,
                                List<Plot> plots, List<String> problems, String appendix) {
        StringBuilder md = new StringBuilder();
        md.append("# Strata benchmark report\n\n");
        md.append("| | |\n|---|---|\n");
        row(md, "date", meta.get("date"));
        row(md, "commit", meta.get("commit"));
        row(md, "mode", meta.get("mode") + " (scale " + meta.get("scale") + ")");
        row(md, "run time", meta.get("duration_s") + " s");
        row(md, "machine", machine.get("cpu") + ", " + machine.get("cores") + " cores, " + machine.get("memory_gib")
                + " GiB");
        row(md, "OS / JVM", machine.get("os") + " / " + machine.get("jvm"));
        md.append("\nEvery ratio compares Strata with a baseline measured in the same run on the same machine, so "
                + "that machine noise cancels out. The noise column is the spread between repetitions as each "
                + "benchmark reports it; two runs agree when their ratios differ by less than it.\n\n");
        long met = figures.stream().filter(f -> f.verdict().equals("met")).count();
        long notMet = figures.stream().filter(f -> f.verdict().equals("not met")).count();
        long unmeasured = figures.stream().filter(f -> f.verdict().equals("not measured")).count();
        md.append("**").append(met).append(" of ").append(met + notMet).append(" measured goals met")
                .append(unmeasured == 0 ? "" : "; " + unmeasured + " not measured (see the end)").append(".**\n\n");
        md.append("| figure | Strata | baseline | ratio | goal | met | noise | key |\n");
        md.append("|---|---:|---|---:|---|---|---|---|\n");
        for (Figure f : figures) {
            if (f.key() == null && f.goal() == null && Double.isNaN(f.value())) {
                continue; // an informational figure this run did not measure (e.g. left out by --quick)
            }
            md.append("| ").append(f.what()).append(" | ").append(num(f.value())).append(' ').append(f.unit())
                    .append(" | ").append(f.baseline() == null ? "—" : f.baseline() + ": " + num(f.baselineValue())
                            + " " + f.unit())
                    .append(" | ").append(Double.isNaN(f.ratio()) ? "—" : num(f.ratio()))
                    .append(" | ").append(f.goal() == null ? "—" : f.goal().text() + " (" + f.goal().source() + ")")
                    .append(" | ").append(f.verdict())
                    .append(" | ").append(f.noise() == null ? "—" : f.noise())
                    .append(" | ").append(f.key() == null ? "" : "`" + f.key() + "`").append(" |\n");
        }
        if (!plots.isEmpty()) {
            md.append("\n## Plots\n\n");
            for (Plot p : plots) {
                md.append("### ").append(p.title()).append("\n\n![").append(p.title()).append("](").append(p.file())
                        .append(")\n\n");
            }
        }
        md.append(appendix);
        if (!problems.isEmpty()) {
            md.append("\n## What did not run\n\n");
            for (String p : problems) {
                md.append("- ").append(p).append('\n');
            }
        }
        md.append("\nRaw figures: `results.json` (the keys of the table's last column, plus every figure with its "
                + "baseline under `figures`); each benchmark's own output is under `raw/`.\n");
        return md.toString();
    }

    private static void row(StringBuilder md, String k, Object v) {
        md.append("| ").append(k).append(" | ").append(v).append(" |\n");
    }

    /** Every JMH result as JMH reported it: benchmark, parameters, score ± error, unit. */
    public static String jmhTable(List<com.fasterxml.jackson.databind.JsonNode> results) {
        if (results.isEmpty()) {
            return "";
        }
        StringBuilder md = new StringBuilder("\n## Every JMH result\n\n| benchmark | parameters | score | ± error (99.9 %) "
                + "| unit | mode |\n|---|---|---:|---:|---|---|\n");
        for (com.fasterxml.jackson.databind.JsonNode r : results) {
            String name = r.path("benchmark").asText().replaceFirst("^dev\\.strata\\.bench\\.", "");
            StringBuilder params = new StringBuilder();
            r.path("params").fields().forEachRemaining(e -> params.append(params.length() == 0 ? "" : ", ")
                    .append(e.getKey()).append('=').append(e.getValue().asText()));
            com.fasterxml.jackson.databind.JsonNode m = r.path("primaryMetric");
            md.append("| ").append(name).append(" | ").append(params).append(" | ")
                    .append(num(m.path("score").asDouble(Double.NaN))).append(" | ")
                    .append(num(m.path("scoreError").asDouble(Double.NaN))).append(" | ")
                    .append(m.path("scoreUnit").asText()).append(" | ").append(r.path("mode").asText()).append(" |\n");
        }
        return md.toString();
    }

    static String num(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        double a = Math.abs(v);
        if (a >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }
}

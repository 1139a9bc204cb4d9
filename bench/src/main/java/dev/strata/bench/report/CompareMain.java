package dev.strata.bench.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Says whether two runs of {@code bench/run} agree: for every figure both {@code results.json} files hold, the two
 * figures (the ratio where there is one, else the value), their difference, and the noise each run stated.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.strata.bench.report.CompareMain A/results.json B/results.json [--out F]
 * </pre>
 *
 * A run's noise is the half-range of its repetitions around the median ("±4 %" relative, "±0.10" absolute on the
 * ratio). Two figures agree when the ranges the runs stated overlap: {@code |a - b| <= noiseA + noiseB}, with each
 * noise taken in the figure's own units. A figure whose runs stated no noise is shown but not judged. The output is
 * a Markdown table (also written to {@code --out}); the exit status is 0 whatever the verdicts, 2 on bad input.
 */
public final class CompareMain {
    private static final Pattern RELATIVE = Pattern.compile("±\\s*([0-9.]+)\\s*%");
    private static final Pattern ABSOLUTE = Pattern.compile("±\\s*([0-9.]+)");

    private CompareMain() {
    }

    /** One figure of both runs. */
    record Row(String what, String key, double a, double b, double noiseA, double noiseB) {
        boolean judged() {
            return Double.isFinite(a) && Double.isFinite(b) && (Double.isFinite(noiseA) || Double.isFinite(noiseB));
        }

        double tolerance() {
            return (Double.isFinite(noiseA) ? noiseA : 0) + (Double.isFinite(noiseB) ? noiseB : 0);
        }

        boolean agree() {
            return Math.abs(a - b) <= tolerance();
        }
    }

    public static void main(String[] args) throws IOException {
        List<String> files = new ArrayList<>();
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--out") && i + 1 < args.length) {
                out = Path.of(args[++i]);
            } else {
                files.add(args[i]);
            }
        }
        if (files.size() != 2) {
            System.err.println("usage: CompareMain A/results.json B/results.json [--out FILE]");
            System.exit(2);
        }
        JsonNode a = read(Path.of(files.get(0)));
        JsonNode b = read(Path.of(files.get(1)));
        String md = render(a, b, rows(a, b));
        System.out.print(md);
        if (out != null) {
            DurableFile.write(out, md);
        }
    }

    private static JsonNode read(Path file) throws IOException {
        JsonNode n = new ObjectMapper().readTree(file.toFile());
        if (n == null || !n.path("figures").isArray()) {
            throw new IOException(file + " is not a results.json of bench/run (no \"figures\" array)");
        }
        return n;
    }

    static List<Row> rows(JsonNode a, JsonNode b) {
        Map<String, JsonNode> byWhat = new LinkedHashMap<>();
        for (JsonNode f : b.get("figures")) {
            byWhat.put(f.path("what").asText(), f);
        }
        List<Row> rows = new ArrayList<>();
        for (JsonNode fa : a.get("figures")) {
            JsonNode fb = byWhat.get(fa.path("what").asText());
            if (fb == null) {
                continue;
            }
            double va = figure(fa);
            double vb = figure(fb);
            rows.add(new Row(fa.path("what").asText(), fa.path("key").isTextual() ? fa.get("key").asText() : null,
                    va, vb, noise(fa.path("noise").asText(null), va), noise(fb.path("noise").asText(null), vb)));
        }
        return rows;
    }

    /** The ratio when the figure has one, else its value (NaN when the run did not measure it). */
    private static double figure(JsonNode f) {
        JsonNode r = f.path("ratio");
        if (r.isNumber()) {
            return r.asDouble();
        }
        return f.path("value").isNumber() ? f.get("value").asDouble() : Double.NaN;
    }

    /** A stated noise in the figure's units: "±4 %" of {@code value}, or "±0.10" as it is; NaN when none. */
    static double noise(String stated, double value) {
        if (stated == null || !Double.isFinite(value)) {
            return Double.NaN;
        }
        Matcher m = RELATIVE.matcher(stated);
        if (m.find()) {
            return Math.abs(value) * Double.parseDouble(m.group(1)) / 100;
        }
        m = ABSOLUTE.matcher(stated);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    static String render(JsonNode a, JsonNode b, List<Row> rows) {
        StringBuilder md = new StringBuilder("# Two runs of bench/run compared\n\n");
        md.append("| run | date | commit | mode |\n|---|---|---|---|\n");
        md.append(runLine("A", a)).append(runLine("B", b)).append('\n');
        md.append("| figure | A | B | difference | A noise | B noise | agree | key |\n");
        md.append("|---|---:|---:|---:|---:|---:|---|---|\n");
        int judged = 0;
        int agreeing = 0;
        for (Row r : rows) {
            String verdict = "not judged (no noise stated)";
            if (r.judged()) {
                judged++;
                agreeing += r.agree() ? 1 : 0;
                verdict = r.agree() ? "yes" : "NO";
            } else if (!Double.isFinite(r.a()) || !Double.isFinite(r.b())) {
                verdict = "not measured in both";
            }
            md.append("| ").append(r.what()).append(" | ").append(MarkdownReport.num(r.a())).append(" | ")
                    .append(MarkdownReport.num(r.b())).append(" | ").append(difference(r)).append(" | ")
                    .append(noiseText(r.noiseA())).append(" | ").append(noiseText(r.noiseB())).append(" | ")
                    .append(verdict).append(" | ").append(r.key() == null ? "" : "`" + r.key() + "`").append(" |\n");
        }
        md.append('\n').append(String.format(Locale.ROOT, "**%d of %d figures with a stated noise agree.**%n",
                agreeing, judged));
        return md.toString();
    }

    private static String runLine(String name, JsonNode run) {
        JsonNode meta = run.path("meta");
        return "| " + name + " | " + meta.path("date").asText("?") + " | " + meta.path("commit").asText("?") + " | "
                + meta.path("mode").asText("?") + " |\n";
    }

    private static String difference(Row r) {
        if (!Double.isFinite(r.a()) || !Double.isFinite(r.b())) {
            return "—";
        }
        double mean = (Math.abs(r.a()) + Math.abs(r.b())) / 2;
        String rel = mean == 0 ? "" : String.format(Locale.ROOT, " (%.0f %%)", 100 * Math.abs(r.a() - r.b()) / mean);
        return MarkdownReport.num(Math.abs(r.a() - r.b())) + rel;
    }

    private static String noiseText(double n) {
        return Double.isFinite(n) ? "±" + MarkdownReport.num(n) : "—";
    }
}

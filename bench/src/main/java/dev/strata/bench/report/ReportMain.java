package dev.strata.bench.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns one run's raw benchmark output into {@code results.json}, {@code REPORT.md} and the SVG plots
 * ({@code bench/run} calls it last).
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.strata.bench.report.ReportMain --raw DIR --out DIR
 *      [--mode quick|default|scaled] [--scale N] [--commit SHA] [--duration SECONDS]
 * </pre>
 *
 * results.json: every key of {@link #KEYS} (a number, or null when its benchmark did not run), then {@code meta},
 * {@code machine}, {@code figures} (each figure with its baseline, ratio, goal, verdict and noise) and
 * {@code problems}.
 */
public final class ReportMain {
    /** The keys results.json always has (issue 7). */
    public static final List<String> KEYS = List.of("ingest_ratio_vs_standby", "getpage_p50_ratio_vs_echo",
            "getpage_p99_ratio_vs_echo", "getpage_depth32_speedup", "reconstruct10_ratio_vs_image",
            "fullbackup_ratio_vs_pg_basebackup", "waldump_ratio_vs_pg_waldump", "redo_heap_insert_us");

    private ReportMain() {
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> opt = options(args);
        Path raw = Path.of(require(opt, "--raw"));
        Path out = Path.of(require(opt, "--out"));
        Files.createDirectories(out);
        RawResults results = RawResults.load(raw);
        List<Figure> figures = FigureCatalog.extract(results);
        List<MarkdownReport.Plot> plots = Plots.write(results, out);
        List<String> problems = new ArrayList<>(results.failures());
        for (Figure f : figures) {
            if (f.key() != null && Double.isNaN(f.exported())) {
                problems.add(f.key() + ": not measured (" + f.source() + ")");
            }
        }
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("date", ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        meta.put("commit", opt.getOrDefault("--commit", "unknown"));
        meta.put("mode", opt.getOrDefault("--mode", "default"));
        meta.put("scale", opt.getOrDefault("--scale", "1"));
        meta.put("duration_s", opt.getOrDefault("--duration", "?"));
        Map<String, Object> machine = Machine.describe();
        DurableFile.write(out.resolve("results.json"), json(figures, meta, machine, problems));
        DurableFile.write(out.resolve("REPORT.md"), MarkdownReport.render(meta, machine, figures, plots, problems,
                MarkdownReport.jmhTable(results.jmhAll())));
        System.out.println("wrote " + out.resolve("REPORT.md") + " and " + out.resolve("results.json"));
    }

    static String json(List<Figure> figures, Map<String, Object> meta, Map<String, Object> machine,
                       List<String> problems) throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        for (String k : KEYS) {
            root.put(k, null);
        }
        List<Map<String, Object>> details = new ArrayList<>();
        for (Figure f : figures) {
            if (f.key() != null && root.containsKey(f.key())) {
                root.put(f.key(), finite(f.exported()));
            }
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("key", f.key());
            d.put("what", f.what());
            d.put("value", finite(f.value()));
            d.put("unit", f.unit());
            d.put("baseline", f.baseline());
            d.put("baseline_value", finite(f.baselineValue()));
            d.put("ratio", finite(f.ratio()));
            d.put("goal", f.goal() == null ? null : f.goal().text());
            d.put("verdict", f.verdict());
            d.put("noise", f.noise());
            d.put("source", f.source());
            details.add(d);
        }
        root.put("meta", meta);
        root.put("machine", machine);
        root.put("figures", details);
        root.put("problems", problems);
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root) + "\n";
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value pairs, got '" + args[i] + "'");
            }
            m.put(args[i], args[++i]);
        }
        return m;
    }

    private static String require(Map<String, String> opt, String name) {
        String v = opt.get(name);
        if (v == null) {
            throw new IllegalArgumentException(name + " is required (see the Javadoc of " + ReportMain.class.getName()
                    + ")");
        }
        return v;
    }
}

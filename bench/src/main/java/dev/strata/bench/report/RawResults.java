package dev.strata.bench.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What the benchmarks of one run left in the raw directory:
 *
 * <ul>
 *   <li>{@code NAME.json}: one JSON object per end-to-end benchmark (its figures under the keys of results.json,
 *       plus its own details);</li>
 *   <li>{@code jmh.json}, {@code jmh-NAME.json}: JMH's own result arrays ({@code -rf json}), one per JMH run;</li>
 *   <li>{@code NAME.failed}: a benchmark that did not finish, with the reason (written by bench/run).</li>
 * </ul>
 */
public final class RawResults {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, JsonNode> benches = new LinkedHashMap<>();
    private final Map<String, JsonNode> jmh = new LinkedHashMap<>();
    private final List<JsonNode> jmhAll = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();

    /** Reads the directory; a file that is not valid JSON is reported as a failure of that benchmark. */
    public static RawResults load(Path dir) throws IOException {
        RawResults r = new RawResults();
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.sorted().toList();
        }
        for (Path f : files) {
            String name = f.getFileName().toString();
            if (name.endsWith(".failed")) {
                r.failures.add(name.substring(0, name.length() - 7) + ": " + Files.readString(f).strip());
            } else if (name.startsWith("jmh") && name.endsWith(".json")) {
                r.readJmh(f);
            } else if (name.endsWith(".json")) {
                try {
                    r.benches.put(name.substring(0, name.length() - 5), JSON.readTree(f.toFile()));
                } catch (IOException e) {
                    r.failures.add(name + ": not valid JSON (" + e.getMessage() + ")");
                }
            }
        }
        return r;
    }

    private void readJmh(Path f) {
        try {
            for (JsonNode b : JSON.readTree(f.toFile())) {
                jmhAll.add(b);
                String name = b.path("benchmark").asText();
                JsonNode params = b.path("params");
                if (params.isObject() && !params.isEmpty()) {
                    StringBuilder key = new StringBuilder(name);
                    params.fields().forEachRemaining(e -> key.append(':').append(e.getKey()).append('=')
                            .append(e.getValue().asText()));
                    jmh.put(key.toString(), b);
                }
                jmh.putIfAbsent(name, b);
            }
        } catch (IOException e) {
            failures.add("jmh: " + f.getFileName() + " is not valid JSON (" + e.getMessage() + ")");
        }
    }

    /** The object a benchmark wrote, or null. */
    public JsonNode bench(String name) {
        return benches.get(name);
    }

    /** A number from any benchmark's object, searched in file-name order; NaN when none has it. */
    public double number(String field) {
        for (JsonNode n : benches.values()) {
            JsonNode v = n.get(field);
            if (v != null && v.isNumber()) {
                return v.asDouble();
            }
        }
        return Double.NaN;
    }

    /** The benchmark object holding {@code field}, or null. */
    public JsonNode holder(String field) {
        for (JsonNode n : benches.values()) {
            if (n.has(field)) {
                return n;
            }
        }
        return null;
    }

    /**
     * A JMH result whose benchmark name ends with {@code suffix} (e.g. {@code RedoBench.heapInsert}), with
     * {@code params} like {@code walCompression=off} when given; null when absent.
     */
    public JsonNode jmh(String suffix, String params) {
        for (Map.Entry<String, JsonNode> e : jmh.entrySet()) {
            String k = e.getKey();
            String name = k.contains(":") ? k.substring(0, k.indexOf(':')) : k;
            if (name.endsWith("." + suffix) && (params == null || k.contains(":" + params))) {
                return e.getValue();
            }
        }
        return null;
    }

    /** Every JMH result, in the order JMH ran them. */
    public List<JsonNode> jmhAll() {
        return jmhAll;
    }

    public List<String> failures() {
        return failures;
    }
}

package dev.strata.bench.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class ReportMainTest {
    @TempDir
    Path dir;

    @Test
    void mergesRawOutputsIntoResultsReportAndPlots() throws Exception {
        Path raw = Files.createDirectories(dir.resolve("raw"));
        Files.writeString(raw.resolve("fullbackup.json"), "{\"fullbackup_ratio_vs_pg_basebackup\": 0.5, "
                + "\"strata_seconds_median\": 1.0, \"pg_basebackup_seconds_median\": 2.0, "
                + "\"strata_seconds\": [1.0, 1.1, 0.9], \"pg_basebackup_seconds\": [2.0, 2.0, 2.0]}");
        Files.writeString(raw.resolve("getpage.json"), "{\"getpage_p50_ratio_vs_echo\": 1.5, \"getpage_p50_us\": 30,"
                + " \"echo_p50_us\": 20, \"getpage_p99_us\": 90, \"echo_p99_us\": 60, \"getpage_p999_us\": 200,"
                + " \"echo_p999_us\": 150, \"getpage_depth32_speedup\": 5.0}");
        Files.writeString(raw.resolve("livelag.json"), "{\"strata_max_lag_mb\": 2, \"standby_max_lag_mb\": 1, "
                + "\"ingest_timeline\": [{\"t\": 0.5, \"strata_mb_s\": 10, \"standby_mb_s\": 8, \"strata_lag_mb\": 1,"
                + " \"standby_lag_mb\": 0.5}, {\"t\": 1.0, \"strata_mb_s\": 12, \"standby_mb_s\": 9, "
                + "\"strata_lag_mb\": 2, \"standby_lag_mb\": 1}]}");
        Files.writeString(raw.resolve("jmh.json"), "[{\"benchmark\": \"dev.strata.bench.engine.EngineReadBenchmark"
                + ".getPage\", \"params\": {\"deltas\": \"10\", \"layout\": \"l1\"}, \"primaryMetric\": {\"score\": 3.0,"
                + " \"scoreError\": 0.3}}, {\"benchmark\": \"dev.strata.bench.engine.EngineReadBenchmark.getPage\", "
                + "\"params\": {\"deltas\": \"0\", \"layout\": \"l1\"}, \"primaryMetric\": {\"score\": 2.0, "
                + "\"scoreError\": 0.1}}]");
        Files.writeString(raw.resolve("wal.failed"), "pg_waldump failed");
        Path out = dir.resolve("out");
        ReportMain.main(new String[]{"--raw", raw.toString(), "--out", out.toString(), "--commit", "abc123",
                "--mode", "quick"});

        JsonNode results = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        for (String key : ReportMain.KEYS) {
            assertThat(results.has(key)).as(key).isTrue();
        }
        assertThat(results.get("fullbackup_ratio_vs_pg_basebackup").asDouble()).isEqualTo(0.5);
        assertThat(results.get("reconstruct10_ratio_vs_image").asDouble()).isEqualTo(1.5);
        assertThat(results.get("waldump_ratio_vs_pg_waldump").isNull()).isTrue();
        String md = Files.readString(out.resolve("REPORT.md"));
        assertThat(md).contains("abc123").contains("| 0.50 | ≤ 1 (issue 6) | met |")
                .contains("| 1.50 | ≤ 1.30 (issue 6) | not met |").contains("wal: pg_waldump failed")
                .contains("getpage-latency.svg").contains("ingest-lag.svg").contains("| engine.EngineReadBenchmark.getPage | deltas=10, layout=l1 | 3.00 |");
        for (String svg : new String[]{"getpage-latency.svg", "ingest-rate.svg", "ingest-lag.svg"}) {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            assertThat(f.newDocumentBuilder().parse(out.resolve(svg).toFile()).getDocumentElement().getLocalName())
                    .isEqualTo("svg");
        }
    }

    @Test
    void goalsCompareInTheirDirection() {
        assertThat(Goal.atMost(1.3, "x").met(1.3)).isTrue();
        assertThat(Goal.atMost(1.3, "x").met(1.31)).isFalse();
        assertThat(Goal.atLeast(4, "x").met(3.9)).isFalse();
        assertThat(Goal.atLeast(30_000, "x").text()).isEqualTo("≥ 30,000");
    }
}

package dev.strata.bench.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class CompareMainTest {
    @TempDir
    Path dir;

    private static JsonNode run(String figures) throws Exception {
        return new ObjectMapper().readTree("{\"meta\": {\"date\": \"d\", \"commit\": \"c\", \"mode\": \"default\"}, "
                + "\"figures\": [" + figures + "]}");
    }

    @Test
    void readsRelativeAndAbsoluteNoiseInTheFiguresUnits() {
        assertThat(CompareMain.noise("±10 %", 2.0)).isCloseTo(0.2, within(1e-9));
        assertThat(CompareMain.noise("±0.10", 1.5)).isCloseTo(0.1, within(1e-9));
        assertThat(CompareMain.noise(null, 1.5)).isNaN();
    }

    @Test
    void figuresAgreeWhenTheStatedRangesOverlapAndOnlyThen() throws Exception {
        JsonNode a = run("{\"what\": \"x\", \"key\": \"x_ratio\", \"ratio\": 1.0, \"noise\": \"±10 %\"}, "
                + "{\"what\": \"y\", \"key\": null, \"ratio\": 1.0, \"noise\": \"±0.05\"}, "
                + "{\"what\": \"z\", \"key\": null, \"value\": 5.0, \"noise\": null}");
        JsonNode b = run("{\"what\": \"x\", \"key\": \"x_ratio\", \"ratio\": 1.15, \"noise\": \"±10 %\"}, "
                + "{\"what\": \"y\", \"key\": null, \"ratio\": 1.2, \"noise\": \"±0.05\"}, "
                + "{\"what\": \"z\", \"key\": null, \"value\": 9.0, \"noise\": null}");
        List<CompareMain.Row> rows = CompareMain.rows(a, b);
        assertThat(rows).hasSize(3);
        assertThat(rows.get(0).agree()).isTrue();   // 0.15 <= 0.10 + 0.115
        assertThat(rows.get(1).agree()).isFalse();  // 0.20 > 0.05 + 0.05
        assertThat(rows.get(2).judged()).isFalse();
        String md = CompareMain.render(a, b, rows);
        assertThat(md).contains("| x | 1.00 | 1.15 |").contains("| yes | `x_ratio` |").contains("| NO |")
                .contains("not judged (no noise stated)").contains("**1 of 2 figures with a stated noise agree.**");
    }

    @Test
    void writesTheTableToOut() throws Exception {
        Path a = dir.resolve("a.json");
        Path b = dir.resolve("b.json");
        String json = "{\"meta\": {}, \"figures\": [{\"what\": \"x\", \"ratio\": 1.0, \"noise\": \"±1 %\"}]}";
        Files.writeString(a, json);
        Files.writeString(b, json);
        Path out = dir.resolve("cmp.md");
        CompareMain.main(new String[]{a.toString(), b.toString(), "--out", out.toString()});
        assertThat(Files.readString(out)).contains("**1 of 1 figures with a stated noise agree.**");
    }
}

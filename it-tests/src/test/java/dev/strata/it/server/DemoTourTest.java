package dev.strata.it.server;

import dev.strata.it.TestPrimary;
import dev.strata.server.demo.Cleanup;
import dev.strata.server.demo.Narrator;
import dev.strata.server.demo.PgBinaries;
import dev.strata.server.demo.Tour;
import dev.strata.server.demo.TourOptions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The newcomer's tour, shortened, as {@code strata demo --once} runs it: every step, then nothing left behind. */
class DemoTourTest {
    @Test
    void theTourRunsEveryStepAndCleansUp() throws Exception {
        Assumptions.assumeTrue(TestPrimary.available(), TestPrimary.installHint());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Cleanup cleanup = new Cleanup();
        try {
            new Tour(PgBinaries.find(), new TourOptions(true, 3, 1, 2, 0, 0), new Narrator(out, false, 7), cleanup)
                    .run();
        } finally {
            cleanup.close();
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("[7/7] Then and now").contains("pd_lsn").contains("fullbackup ")
                .contains("the backup answers exactly what the primary answered").doesNotContain("(differs)")
                .contains("Explore further:");
        Matcher history = Pattern.compile("SELECT count\\(\\*\\) FROM pgbench_history\\s+(\\d+)\\s+(\\d+)")
                .matcher(text);
        assertThat(history.find()).as(text).isTrue();
        assertThat(history.group(1)).isEqualTo("0");
        assertThat(Long.parseLong(history.group(2))).isPositive();
        Matcher dir = Pattern.compile("--data-dir (\\S+)/strata").matcher(text);
        assertThat(dir.find()).isTrue();
        assertThat(Files.exists(Path.of(dir.group(1)))).as("the scratch directory is removed").isFalse();
    }
}

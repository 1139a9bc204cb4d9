package dev.strata.it.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code strata pageserver} as a process: configuration sources, SIGTERM, and the data-directory lock. */
class PageserverCommandTest {
    @TempDir
    Path dir;

    @Test
    void runsUntilSigtermThenShutsDownCleanlyAndReleasesTheDataDirectory() throws Exception {
        Path data = dir.resolve("data");
        List<String> args = List.of("--data-dir", data.toString(), "--listen-pg", "127.0.0.1:0", "--listen-http",
                "127.0.0.1:0");
        try (PageserverProcess first = PageserverProcess.start(args).awaitReady(60_000)) {
            assertThat(new Http(first.httpPort()).get("/v1/status").json().get("status").asText()).isEqualTo("ok");
            try (PageserverProcess second = PageserverProcess.start(args)) {
                assertThat(second.awaitExit()).isEqualTo(1);
                assertThat(second.output()).contains("is in use by another Strata server (pid " + first.pid() + ")");
            }
            int status = first.terminate();
            assertThat(status).isIn(0, 143);
            assertThat(first.output()).contains("Strata stopped cleanly.");
        }
        try (PageserverProcess again = PageserverProcess.start(args).awaitReady(60_000)) {
            assertThat(new Http(again.httpPort()).get("/v1/status").status()).isEqualTo(200);
            again.terminate();
        }
    }

    @Test
    void readsStrataConfAndTheCommandLineWins() throws Exception {
        Path conf = dir.resolve("strata.conf");
        Files.writeString(conf, "# test\ndata-dir = '" + dir.resolve("fromfile") + "'\nlisten-pg = 127.0.0.1:0\n"
                + "listen-http = 127.0.0.1:1\n");
        try (PageserverProcess p = PageserverProcess.start(List.of("--config", conf.toString(), "--listen-http",
                "127.0.0.1:0")).awaitReady(60_000)) {
            assertThat(p.httpPort()).isNotEqualTo(1);
            assertThat(new Http(p.httpPort()).get("/v1/status").json().get("data_dir").asText())
                    .isEqualTo(dir.resolve("fromfile").toAbsolutePath().toString());
            p.terminate();
        }
    }

    @Test
    void badConfigurationExitsWithAMessage() throws Exception {
        Path conf = dir.resolve("strata.conf");
        Files.writeString(conf, "listen = 1\n");
        try (PageserverProcess p = PageserverProcess.start(List.of("--config", conf.toString()))) {
            assertThat(p.awaitExit()).isEqualTo(1);
            assertThat(p.output()).contains(conf + " line 1: unknown setting 'listen'");
        }
    }
}

package dev.strata.server.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfFileTest {
    private static final Path P = Path.of("strata.conf");

    @Test
    void readsNamesValuesQuotesAndComments() {
        ConfFile f = ConfFile.parse(P, """
                # a comment
                data_dir = /var/lib/strata   # trailing comment
                listen-pg=0.0.0.0:6401

                primary = 'host=10.0.0.5 user=rep password=''it''s#1'
                slot = "my#slot"
                """);
        ServerConfig c = ServerConfig.builder().apply(f).build();
        assertThat(c.dataDir()).isEqualTo(Path.of("/var/lib/strata"));
        assertThat(c.listenPg()).isEqualTo(new HostPort("0.0.0.0", 6401));
        assertThat(c.primary()).isEqualTo("host=10.0.0.5 user=rep password='it's#1");
        assertThat(c.slot()).isEqualTo("my#slot");
        assertThat(c.origin(Setting.LISTEN_PG)).isEqualTo("strata.conf line 3");
        assertThat(c.listenHttp()).isEqualTo(new HostPort("127.0.0.1", 9898));
    }

    @Test
    void commandLineWinsOverTheFile() {
        ServerConfig c = ServerConfig.builder().apply(ConfFile.parse(P, "slot = fromfile\ngc-period = 5min\n"))
                .set(Setting.SLOT, "fromcli", "--slot").build();
        assertThat(c.slot()).isEqualTo("fromcli");
        assertThat(c.gcPeriod()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void unknownNameIsAnErrorNamingFileAndLine() {
        assertThatThrownBy(() -> ConfFile.parse(P, "\n\nlisten = 1.2.3.4:5\n"))
                .hasMessageContaining("strata.conf line 3").hasMessageContaining("unknown setting 'listen'");
    }

    @Test
    void badValueNamesWhereItCameFrom() {
        ConfFile f = ConfFile.parse(P, "checkpoint-distance = lots\n");
        assertThatThrownBy(() -> ServerConfig.builder().apply(f))
                .hasMessageContaining("strata.conf line 1: bad value for checkpoint-distance")
                .hasMessageContaining("not a size");
    }

    @Test
    void unterminatedQuoteAndMissingEqualsAreErrors() {
        assertThatThrownBy(() -> ConfFile.parse(P, "primary = 'host=x\n")).hasMessageContaining("unterminated");
        assertThatThrownBy(() -> ConfFile.parse(P, "primary host=x\n")).hasMessageContaining("name = value");
        assertThatThrownBy(() -> ConfFile.parse(P, "slot = 'a' b\n")).hasMessageContaining("after the quoted value");
    }

    @Test
    void missingFileSaysSo() {
        assertThatThrownBy(() -> ConfFile.read(Path.of("/nonexistent/strata.conf")))
                .hasMessageContaining("does not exist");
    }

    @Test
    void readsAFileFromDisk() throws Exception {
        Path dir = Files.createTempDirectory("conf");
        Path file = dir.resolve("strata.conf");
        Files.writeString(file, "auth = trust\nwait-lsn-timeout = 500ms\n");
        ServerConfig c = ServerConfig.builder().apply(ConfFile.read(file)).build();
        assertThat(c.auth()).isEqualTo(AuthMode.TRUST);
        assertThat(c.waitLsnTimeout()).isEqualTo(Duration.ofMillis(500));
        Files.delete(file);
        Files.delete(dir);
    }
}

package dev.strata.server.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServerConfigTest {
    @Test
    void defaultsAreThoseOfTheDesign() {
        ServerConfig c = ServerConfig.builder().build();
        assertThat(c.dataDir()).isEqualTo(Path.of("./.strata"));
        assertThat(c.listenPg().toString()).isEqualTo("127.0.0.1:6400");
        assertThat(c.listenHttp().toString()).isEqualTo("127.0.0.1:9898");
        assertThat(c.slot()).isEqualTo("strata");
        assertThat(c.auth()).isEqualTo(AuthMode.TRUST);
        assertThat(c.primary()).isNull();
        assertThat(c.checkpointDistance()).isEqualTo(256L << 20);
        assertThat(c.waitLsnTimeout()).isEqualTo(Duration.ofSeconds(300));
    }

    @Test
    void jwtNeedsAKeyAndScramNeedsUsers() {
        assertThatThrownBy(() -> ServerConfig.builder().set(Setting.AUTH, "jwt", "--auth").build())
                .hasMessageContaining("--jwt-public-key");
        assertThatThrownBy(() -> ServerConfig.builder().set(Setting.AUTH, "scram", "--auth").build())
                .hasMessageContaining("--scram-users");
        assertThatThrownBy(() -> ServerConfig.builder().set(Setting.AUTH, "kerberos", "--auth"))
                .hasMessageContaining("--auth: bad value for auth: unknown auth mode 'kerberos'");
    }

    @Test
    void tlsCertAndKeyGoTogether() {
        assertThatThrownBy(() -> ServerConfig.builder().set(Setting.TLS_CERT, "c.pem", "--tls-cert").build())
                .hasMessageContaining("--tls-key");
    }

    @Test
    void unitsParse() {
        assertThat(Units.parseSize("64kB")).isEqualTo(65536);
        assertThat(Units.parseSize("2 GB")).isEqualTo(2L << 30);
        assertThat(Units.parseSize("123")).isEqualTo(123);
        assertThat(Units.parseDuration("5min")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Units.parseDuration("30")).isEqualTo(Duration.ofSeconds(30));
        assertThatThrownBy(() -> Units.parseSize("5 PB")).hasMessageContaining("unknown size unit");
        assertThatThrownBy(() -> Units.parseDuration("soon")).hasMessageContaining("not a duration");
    }

    @Test
    void listenAddressesParse() {
        assertThat(HostPort.parse("[::1]:6400")).isEqualTo(new HostPort("::1", 6400));
        assertThat(HostPort.parse("[::1]:6400").toString()).isEqualTo("[::1]:6400");
        assertThatThrownBy(() -> HostPort.parse("6400")).hasMessageContaining("HOST:PORT");
        assertThatThrownBy(() -> HostPort.parse("h:99999")).hasMessageContaining("not 0..65535");
    }
}

package dev.strata.server.admin;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ConninfoTest {
    @Test
    void passwordsNeverShow() {
        assertThat(Conninfo.redact("host=h password=secret user=u")).isEqualTo("host=h password=****** user=u");
        assertThat(Conninfo.redact("host=h password = 'se cr\\'et' user=u")).isEqualTo("host=h password = ****** user=u");
        assertThat(Conninfo.redact("postgresql://rep:secret@h:5432/db")).isEqualTo("postgresql://rep:******@h:5432/db");
        assertThat(Conninfo.redact("host=h user=u")).isEqualTo("host=h user=u");
        assertThat(Conninfo.redact(null)).isNull();
    }

    @Test
    void idsAreThirtyTwoLowercaseHexDigits() {
        assertThat(Ids.check("0123456789abcdef0123456789abcdef", "tenant")).isNotNull();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Ids.check("0123456789ABCDEF0123456789ABCDEF", "tenant"))
                .hasMessageContaining("32 lowercase hex digits");
    }
}

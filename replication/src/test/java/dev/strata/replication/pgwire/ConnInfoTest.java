package dev.strata.replication.pgwire;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConnInfoTest {
    @Test
    void keyValueFormWithQuotesAndEscapes() {
        ConnInfo c = ConnInfo.parse("host=db.example port=6543 user=rep password='a b\\\\c' dbname = app");
        assertThat(c.host()).isEqualTo("db.example");
        assertThat(c.port()).isEqualTo(6543);
        assertThat(c.user()).isEqualTo("rep");
        assertThat(c.password()).isEqualTo("a b\\c");
        assertThat(c.dbname()).isEqualTo("app");
        assertThat(c.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example:6543/app");
    }

    @Test
    void escapedQuoteInsideAQuotedValue() {
        ConnInfo c = ConnInfo.parse("password='a\\'b c' user=x");
        assertThat(c.password()).isEqualTo("a'b c");
        assertThat(c.user()).isEqualTo("x");
    }

    @Test
    void uriFormWithPercentEncodingAndQueryParameters() {
        ConnInfo c = ConnInfo.parse("postgresql://rep:p%40ss@10.0.0.5:5433/my%20db?sslmode=require&application_name=s1");
        assertThat(c.user()).isEqualTo("rep");
        assertThat(c.password()).isEqualTo("p@ss");
        assertThat(c.host()).isEqualTo("10.0.0.5");
        assertThat(c.port()).isEqualTo(5433);
        assertThat(c.dbname()).isEqualTo("my db");
        assertThat(c.sslmode()).isEqualTo("require");
        assertThat(c.applicationName()).isEqualTo("s1");
    }

    @Test
    void passwordNeverAppearsInTheRedactedForm() {
        ConnInfo c = ConnInfo.parse("host=h user=u password=secret");
        assertThat(c.redacted()).doesNotContain("secret").contains("password=********");
        assertThat(c.toString()).doesNotContain("secret");
    }

    @Test
    void replicationPropertiesAskForTheWalsender() {
        ConnInfo c = ConnInfo.parse("host=h user=u");
        assertThat(c.jdbcProperties(true).getProperty("replication")).isEqualTo("true");
        assertThat(c.jdbcProperties(true).getProperty("preferQueryMode")).isEqualTo("simple");
        assertThat(c.jdbcProperties(false).getProperty("replication")).isNull();
    }

    @Test
    void malformedStringsSayWhereTheyAreWrong() {
        assertThatThrownBy(() -> ConnInfo.parse("host=h portless")).hasMessageContaining("missing '='")
                .hasMessageContaining("portless");
        assertThatThrownBy(() -> ConnInfo.parse("password='open")).hasMessageContaining("unterminated");
        assertThatThrownBy(() -> ConnInfo.parse("port=abc").port()).hasMessageContaining("'abc'");
    }
}

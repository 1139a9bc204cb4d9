package dev.strata.wire.auth;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FlatJsonTest {
    @Test
    void reads_strings_numbers_literals_and_keeps_nested_values_as_text() {
        Map<String, Object> m = FlatJson.parseObject(" {\"a\":\"x\\u0041\\n\", \"n\": 12, \"f\": 1.5e2, \"t\": true,"
                + " \"z\": null, \"o\": {\"k\": [1, {\"q\": \"}\"}]}, \"l\": [] } ");
        assertThat(m).containsEntry("a", "xA\n").containsEntry("n", 12L).containsEntry("f", 150.0)
                .containsEntry("t", true).containsEntry("z", null).containsEntry("l", "[]")
                .containsEntry("o", "{\"k\": [1, {\"q\": \"}\"}]}");
    }

    @Test
    void rejects_malformed_json_naming_the_offset() {
        assertThatThrownBy(() -> FlatJson.parseObject("{\"a\": }")).hasMessageContaining("offset 6");
        assertThatThrownBy(() -> FlatJson.parseObject("{\"a\": 1} x")).hasMessageContaining("trailing");
        assertThatThrownBy(() -> FlatJson.parseObject("[1]")).hasMessageContaining("expected '{'");
        assertThatThrownBy(() -> FlatJson.parseObject("{\"a\": \"x")).hasMessageContaining("unterminated");
    }
}

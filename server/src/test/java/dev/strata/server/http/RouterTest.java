package dev.strata.server.http;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RouterTest {
    private final Router r = new Router()
            .add("GET", "/v1/tenant", req -> null)
            .add("POST", "/v1/tenant", req -> null)
            .add("GET", "/v1/tenant/{tenant_id}/timeline/{timeline_id}", req -> null)
            .add("PUT", "/v1/tenant/{tenant_id}/timeline/{timeline_id}/checkpoint", req -> null);

    @Test
    void placeholdersCaptureSegments() {
        Router.Match m = r.match("GET", "/v1/tenant/aa/timeline/bb");
        assertThat(m.params()).containsEntry("tenant_id", "aa").containsEntry("timeline_id", "bb");
        assertThat(r.match("PUT", "/v1/tenant/aa/timeline/bb/checkpoint/").route().pattern()).endsWith("checkpoint");
    }

    @Test
    void wrongMethodIs405ListingTheAllowedOnes() {
        assertThatThrownBy(() -> r.match("DELETE", "/v1/tenant"))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(405))
                .hasMessageContaining("GET or POST");
    }

    @Test
    void unknownPathIs404() {
        assertThatThrownBy(() -> r.match("GET", "/v1/tenant/aa/timeline"))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(404));
    }
}

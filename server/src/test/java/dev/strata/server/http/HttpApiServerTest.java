package dev.strata.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.server.config.HostPort;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class HttpApiServerTest {
    private HttpApiServer server;
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        Router r = new Router()
                .addOpen("GET", "/v1/status", req -> Json.response(200, Map.of("status", "ok")))
                .add("GET", "/v1/tenant/{tenant_id}/echo", req -> Json.response(200,
                        Map.of("tenant", req.pathParam("tenant_id"), "q", String.valueOf(req.queryParam("q")))))
                .add("POST", "/v1/tenant/{tenant_id}/echo", req -> Json.response(201,
                        Map.of("bytes", req.body().length)))
                .add("GET", "/boom", req -> {
                    throw new IllegalStateException("kaput");
                });
        HttpAuthenticator auth = (header, tenant) -> {
            if (!"Bearer good".equals(header)) {
                throw ApiException.unauthorized("send Authorization: Bearer <token>");
            }
        };
        server = HttpApiServer.start(new HostPort("127.0.0.1", 0), new ApiDispatcher(r, auth));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder req(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
    }

    @Test
    void routesWithPathAndQueryParameters() throws Exception {
        HttpResponse<String> r = send(req("/v1/tenant/abc/echo?q=x%20y").header("Authorization", "Bearer good"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).contains("application/json");
        JsonNode n = Json.MAPPER.readTree(r.body());
        assertThat(n.get("tenant").asText()).isEqualTo("abc");
        assertThat(n.get("q").asText()).isEqualTo("x y");
    }

    @Test
    void errorsAreJsonWithStatusAndMessage() throws Exception {
        HttpResponse<String> notFound = send(req("/nope"));
        assertThat(notFound.statusCode()).isEqualTo(404);
        assertThat(Json.MAPPER.readTree(notFound.body()).get("message").asText()).contains("no such endpoint");
        HttpResponse<String> wrongMethod = send(req("/v1/status").DELETE());
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertThat(Json.MAPPER.readTree(wrongMethod.body()).get("message").asText()).contains("use GET");
        HttpResponse<String> boom = send(req("/boom").header("Authorization", "Bearer good"));
        assertThat(boom.statusCode()).isEqualTo(500);
        assertThat(Json.MAPPER.readTree(boom.body()).get("message").asText()).contains("kaput");
    }

    @Test
    void openRoutesNeedNoTokenOthersDo() throws Exception {
        assertThat(send(req("/v1/status")).statusCode()).isEqualTo(200);
        HttpResponse<String> r = send(req("/v1/tenant/abc/echo"));
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("www-authenticate")).contains("Bearer");
    }

    @Test
    void oversizedBodiesAreRefused() throws Exception {
        byte[] big = new byte[HttpApiServer.MAX_BODY + 1];
        HttpResponse<String> r = send(req("/v1/tenant/abc/echo").header("Authorization", "Bearer good")
                .POST(HttpRequest.BodyPublishers.ofByteArray(big)));
        assertThat(r.statusCode()).isEqualTo(413);
        HttpResponse<String> ok = send(req("/v1/tenant/abc/echo").header("Authorization", "Bearer good")
                .POST(HttpRequest.BodyPublishers.ofString("{}")));
        assertThat(ok.statusCode()).isEqualTo(201);
    }

    @Test
    void pipelinedRequestsOnOneConnectionAreAnsweredInOrder() throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            OutputStream out = s.getOutputStream();
            StringBuilder reqs = new StringBuilder();
            for (int i = 0; i < 20; i++) {
                reqs.append("GET /v1/tenant/t").append(i).append("/echo HTTP/1.1\r\nHost: x\r\n")
                        .append("Authorization: Bearer good\r\n\r\n");
            }
            out.write(reqs.toString().getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder got = new StringBuilder();
            byte[] buf = new byte[8192];
            while (countOf(got.toString(), "\"tenant\"") < 20) {
                int n = in.read(buf);
                assertThat(n).isPositive();
                got.append(new String(buf, 0, n, StandardCharsets.UTF_8));
            }
            int last = -1;
            for (int i = 0; i < 20; i++) {
                int at = got.indexOf("\"t" + i + "\"");
                assertThat(at).isGreaterThan(last);
                last = at;
            }
        }
    }

    @Test
    void garbageGetsABadRequest() throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.getOutputStream().write("\u0001\u0002 nonsense\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            String reply = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(reply).startsWith("HTTP/1.1 400");
        }
        assertThat(send(req("/v1/status")).statusCode()).isEqualTo(200);
    }

    private static int countOf(String s, String sub) {
        int n = 0;
        for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + 1)) {
            n++;
        }
        return n;
    }
}

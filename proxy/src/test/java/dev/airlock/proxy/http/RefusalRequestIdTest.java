package dev.airlock.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.policy.Decision;
import dev.airlock.proxy.metrics.AccessLogListener;
import dev.airlock.proxy.metrics.AirlockMetrics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every refusal carries a request id (header, JSON, access log) and says where in the UI to look. */
class RefusalRequestIdTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final URI PUBLIC = URI.create("https://airlock.corp.example/");

    /** Refuses every npm tarball of @evil/pkg the way the npm route does, through {@link Answers#refused}. */
    private static final Route REFUSING = new Route() {
        @Override
        public String prefix() {
            return "/npm/";
        }

        @Override
        public void handle(HttpExchange ex) {
            ex.describe("npm:@evil/pkg@6.6.6", "-");
            Answers.refused(ex, Decision.hide("known_malware", "Blocked: known malware MAL-2024-1"));
        }
    };

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private AirlockMetrics metrics;
    private AirlockServer server;

    @BeforeEach
    void start() throws Exception {
        metrics = new AirlockMetrics();
        server = AirlockServer.bind("127.0.0.1", 0, new AirlockChannelInitializer(new RequestRouter(List.of(REFUSING),
                List.of(new AccessLogListener(metrics, "text", lines::add)), TrustedProxies.nobody(), PUBLIC), 1 << 20));
    }

    @AfterEach
    void stop() {
        server.close();
        metrics.close();
    }

    private HttpResponse<String> get(String path, String requestId) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
        if (requestId != null) {
            b.header("X-Request-Id", requestId);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String line(int n) throws InterruptedException {
        for (int i = 0; i < 100 && lines.size() < n; i++) {
            Thread.sleep(20);
        }
        return lines.get(n - 1);
    }

    @Test
    void aRefusalCarriesAGeneratedRequestIdInTheHeaderTheBodyAndTheAccessLog() throws Exception {
        HttpResponse<String> r = get("/npm/@evil/pkg/-/pkg-6.6.6.tgz", null);
        assertEquals(403, r.statusCode());
        String id = r.headers().firstValue("X-Request-Id").orElseThrow();
        assertTrue(id.matches("[0-9a-f]{32}"), id);
        JsonNode body = JSON.readTree(r.body());
        assertEquals(id, body.path("requestId").asText());
        assertTrue(line(1).endsWith(" request=" + id), line(1));
    }

    @Test
    void theBlockMessageNamesTheVersionsUiPageAtThePublicUrl() throws Exception {
        HttpResponse<String> r = get("/npm/@evil/pkg/-/pkg-6.6.6.tgz", "ci-job-42");
        JsonNode body = JSON.readTree(r.body());
        String page = "https://airlock.corp.example/ui/#/package/npm/%40evil%2Fpkg/6.6.6";
        assertEquals(page, body.path("details").asText());
        assertEquals("Blocked: known malware MAL-2024-1 - details: " + page + " (request ci-job-42)", body.path("error").asText());
        assertEquals("known_malware", body.path("code").asText());
    }

    @Test
    void aSaneIncomingRequestIdIsKeptAndAnInsaneOneReplaced() throws Exception {
        assertEquals("lb-7f3a:1", get("/npm/@evil/pkg/-/pkg-6.6.6.tgz", "lb-7f3a:1").headers().firstValue("X-Request-Id").orElseThrow());
        String injected = "x\" decision=allowed";
        String replaced = get("/npm/@evil/pkg/-/pkg-6.6.6.tgz", injected).headers().firstValue("X-Request-Id").orElseThrow();
        assertNotEquals(injected, replaced);
        assertTrue(replaced.matches("[0-9a-f]{32}"), replaced);
        String tooLong = "a".repeat(129);
        assertNotEquals(tooLong, get("/npm/@evil/pkg/-/pkg-6.6.6.tgz", tooLong).headers().firstValue("X-Request-Id").orElseThrow());
    }

    @Test
    void aClientErrorCarriesTheRequestIdToo() throws Exception {
        HttpResponse<String> r = get("/nowhere", "trace-1");
        assertEquals(404, r.statusCode());
        assertEquals("trace-1", r.headers().firstValue("X-Request-Id").orElseThrow());
        assertEquals("trace-1", JSON.readTree(r.body()).path("requestId").asText());
    }
}

package dev.airlock.proxy.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.proxy.http.AirlockChannelInitializer;
import dev.airlock.proxy.http.AirlockServer;
import dev.airlock.proxy.http.HttpExchange;
import dev.airlock.proxy.http.RequestRouter;
import dev.airlock.proxy.http.Route;
import dev.airlock.proxy.ui.UiRoute;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class MetricsAndAccessLogTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** Stands in for the npm route: answers a tarball with 403 and describes the exchange like the real one. */
    private static final Route BLOCKING_NPM = new Route() {
        @Override
        public String prefix() {
            return "/npm/";
        }

        @Override
        public void handle(HttpExchange ex) {
            ex.describe("npm:@evil/pkg@6.6.6", "known_malware");
            ex.respond(HttpResponseStatus.FORBIDDEN, "application/json", "{\"error\":\"Known malware\"}".getBytes(StandardCharsets.UTF_8),
                    new DefaultHttpHeaders());
        }
    };

    private static HttpResponse<String> get(URI base, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int awaitLines(List<String> lines, int n) throws InterruptedException {
        // Listeners run right after the last write is queued; give the event loop a moment.
        for (int i = 0; i < 100 && lines.size() < n; i++) {
            Thread.sleep(20);
        }
        return lines.size();
    }

    @Test
    void exposesAirlockSeriesIncludingRequestsPerEcosystemAndBlocksByReason() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        try (AirlockMetrics metrics = new AirlockMetrics()) {
            AtomicInteger depth = new AtomicInteger(7);
            metrics.queueDepth(depth::get);
            AtomicInteger scans = new AtomicInteger();
            metrics.verdicts(() -> {
                scans.incrementAndGet();
                return Map.of("quarantined", 3, "allowed", 40);
            });
            metrics.breaker("npm", () -> "OPEN");
            metrics.cacheHit("npm", "tarball");
            metrics.sandboxRun("pypi", "timeout", java.time.Duration.ofSeconds(60));
            AirlockServer server = AirlockServer.bind("127.0.0.1", 0, new AirlockChannelInitializer(
                    new RequestRouter(List.of(new MetricsRoute(metrics), BLOCKING_NPM, new UiRoute()),
                            List.of(new AccessLogListener(metrics, "text", lines::add))), 1 << 20));
            try {
                URI base = URI.create("http://127.0.0.1:" + server.port() + "/");
                assertEquals(403, get(base, "npm/@evil/pkg/-/pkg-6.6.6.tgz").statusCode());
                assertEquals(403, get(base, "npm/@evil/pkg/-/pkg-6.6.6.tgz").statusCode());
                assertEquals(200, get(base, "ui/").statusCode());
                assertEquals(3, awaitLines(lines, 3));
                HttpResponse<String> scrape = get(base, "metrics");
                assertEquals(200, scrape.statusCode());
                assertTrue(scrape.headers().firstValue("content-type").orElse("").startsWith("text/plain; version=0.0.4"));
                String text = scrape.body();
                assertTrue(text.contains("airlock_requests_total{ecosystem=\"npm\",route=\"tarball\",status=\"403\"} 2.0"), text);
                assertTrue(text.contains("airlock_requests_total{ecosystem=\"none\",route=\"ui\",status=\"200\"} 1.0"), text);
                assertTrue(text.contains("airlock_blocks_total{ecosystem=\"npm\",reason=\"known_malware\"} 2.0"), text);
                assertTrue(text.contains("airlock_analysis_queue_depth 7.0"), text);
                assertTrue(text.contains("airlock_verdicts{state=\"quarantined\"} 3.0"), text);
                assertTrue(text.contains("airlock_upstream_breaker_state{state=\"open\",upstream=\"npm\"} 1.0"), text);
                assertTrue(text.contains("airlock_upstream_breaker_state{state=\"closed\",upstream=\"npm\"} 0.0"), text);
                assertTrue(text.contains("airlock_cache_requests_total{ecosystem=\"npm\",kind=\"tarball\",result=\"hit\"} 1.0"), text);
                assertTrue(text.contains("airlock_sandbox_timeouts_total{ecosystem=\"pypi\"} 1.0"), text);
                assertTrue(text.contains("airlock_jvm_memory_used_bytes"), "JVM basics are exported");
                for (String line : text.split("\n")) {
                    if (!line.startsWith("#") && !line.isBlank()) {
                        assertTrue(line.startsWith("airlock_"), "every series is prefixed: " + line);
                    }
                }
                assertEquals(1, scans.get(), "one store scan serves every state's gauge");
                depth.set(2);
                assertTrue(get(base, "metrics").body().contains("airlock_analysis_queue_depth 2.0"), "gauges read live values");
            } finally {
                server.close();
            }
        }
        String tarballLine = lines.get(0);
        assertTrue(tarballLine.startsWith("127.0.0.1 \"GET /npm/@evil/pkg/-/pkg-6.6.6.tgz\" 403 "), tarballLine);
        assertTrue(tarballLine.contains("pkg=npm:@evil/pkg version=6.6.6 decision=known_malware"), tarballLine);
    }

    @Test
    void writesJsonAccessLinesWhenAskedAndNeverBreaksTheAnswer() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        try (AirlockMetrics metrics = new AirlockMetrics()) {
            HttpExchange.ExchangeListener broken = ex -> {
                throw new IllegalStateException("disk full");
            };
            AirlockServer server = AirlockServer.bind("127.0.0.1", 0, new AirlockChannelInitializer(
                    new RequestRouter(List.of(BLOCKING_NPM), List.of(broken, new AccessLogListener(metrics, "json", lines::add))),
                    1 << 20));
            try {
                URI base = URI.create("http://127.0.0.1:" + server.port() + "/");
                HttpResponse<String> r = get(base, "npm/@evil/pkg/-/pkg-6.6.6.tgz");
                assertEquals(403, r.statusCode());
                assertEquals("{\"error\":\"Known malware\"}", r.body());
                assertEquals(1, awaitLines(lines, 1));
            } finally {
                server.close();
            }
        }
        JsonNode n = new ObjectMapper().readTree(lines.get(0));
        assertEquals("127.0.0.1", n.get("client").asText());
        assertEquals("npm:@evil/pkg", n.get("package").asText());
        assertEquals("6.6.6", n.get("version").asText());
        assertEquals("known_malware", n.get("decision").asText());
        assertEquals(403, n.get("status").asInt());
        assertTrue(n.has("ms") && n.has("time") && n.get("method").asText().equals("GET"));
    }

    @Test
    void squeezesClientControlledPathsIntoAFixedSetOfRouteLabels() {
        assertEquals(new RouteLabels.Labels("pypi", "index"), RouteLabels.of("/pypi/simple/requests/"));
        assertEquals(new RouteLabels.Labels("pypi", "file"), RouteLabels.of("/pypi/files/ab/cd/requests-2.32.3-py3-none-any.whl"));
        assertEquals(new RouteLabels.Labels("npm", "metadata"), RouteLabels.of("/npm/@scope%2fname"));
        assertEquals(new RouteLabels.Labels("npm", "advisories"), RouteLabels.of("/npm/-/npm/v1/security/advisories/bulk"));
        assertEquals(new RouteLabels.Labels("none", "other"), RouteLabels.of("/wp-admin/../../etc/passwd"));
        assertEquals("a_b_c", AirlockMetrics.label("A\"b{c"));
    }
}

package dev.airlock.proxy.metrics;

import dev.airlock.proxy.http.HttpExchange;
import dev.airlock.proxy.http.Route;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /metrics} in the Prometheus text format. Unauthenticated like most scrape
 * endpoints: labels carry ecosystems, routes, states and reason codes, never package names or
 * client addresses, so the page tells an onlooker volumes, not who uses what.
 */
public final class MetricsRoute implements Route {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private final AirlockMetrics metrics;

    public MetricsRoute(AirlockMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public String prefix() {
        return "/metrics";
    }

    @Override
    public void handle(HttpExchange ex) {
        if (!ex.rawPath().equals("/metrics")) {
            ex.respondError(HttpResponseStatus.NOT_FOUND, "no such endpoint: " + ex.rawPath());
            return;
        }
        if (!ex.method().equals(HttpMethod.GET) && !ex.method().equals(HttpMethod.HEAD)) {
            ex.respondError(HttpResponseStatus.METHOD_NOT_ALLOWED, "use GET");
            return;
        }
        ex.respond(HttpResponseStatus.OK, CONTENT_TYPE, metrics.scrape().getBytes(StandardCharsets.UTF_8), null);
    }
}

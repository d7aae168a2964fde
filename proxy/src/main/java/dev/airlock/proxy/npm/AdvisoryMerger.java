package dev.airlock.proxy.npm;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.common.Json;
import dev.airlock.proxy.http.Answers;
import dev.airlock.proxy.http.HttpExchange;
import dev.airlock.proxy.upstream.UpstreamClient;
import dev.airlock.proxy.upstream.UpstreamResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code npm audit}'s bulk endpoint: the upstream's advisories merged with Airlock's own blocked
 * versions reported as critical advisories, so {@code npm audit} names what policy blocked. When
 * the upstream is unreachable Airlock's own answer still goes out (the audit is a side path).
 * Airlock's part reads the verdict of every named version, so it runs on {@code evaluator}, never
 * on the event loop that took the (unauthenticated) request.
 */
public final class AdvisoryMerger {
    private static final Logger LOG = LoggerFactory.getLogger(AdvisoryMerger.class);
    private static final ObjectMapper JSON = Json.MAPPER;
    private final URI upstreamBulk;
    private final UpstreamClient client;
    private final Function<Map<String, List<String>>, Map<String, List<Map<String, Object>>>> local;
    private final java.util.concurrent.Executor evaluator;
    /** Audits being worked out; past {@link #MAX_WAITING} an unauthenticated flood gets 503s, not a growing queue. */
    private final java.util.concurrent.atomic.AtomicInteger inProgress = new java.util.concurrent.atomic.AtomicInteger();
    static final int MAX_WAITING = 256;

    /** @param evaluator where Airlock's own advisories are worked out */
    public AdvisoryMerger(URI npmUpstream, UpstreamClient client,
                          Function<Map<String, List<String>>, Map<String, List<Map<String, Object>>>> local,
                          java.util.concurrent.Executor evaluator) {
        this.upstreamBulk = URI.create(npmUpstream + "-/npm/v1/security/advisories/bulk");
        this.client = client;
        this.local = local;
        this.evaluator = evaluator;
    }

    void handle(HttpExchange ex) {
        byte[] body = ex.bodyBytes();
        Map<String, List<String>> request;
        try {
            request = JSON.readValue(body, new TypeReference<Map<String, List<String>>>() { });
        } catch (Exception e) {
            Answers.clientError(ex, HttpResponseStatus.BAD_REQUEST, "expected {\"name\": [\"version\", ...]}");
            return;
        }
        if (inProgress.incrementAndGet() > MAX_WAITING) {
            inProgress.decrementAndGet();
            Answers.failed(ex, 503, "busy", "too many npm audit requests at once; retry shortly");
            return;
        }
        java.util.concurrent.CompletableFuture<Map<String, List<Map<String, Object>>>> ours;
        try {
            ours = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return local.apply(request);
                } catch (RuntimeException e) {
                    LOG.warn("local advisories failed", e);
                    return Map.of();
                } finally {
                    inProgress.decrementAndGet();
                }
            }, evaluator);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            inProgress.decrementAndGet();
            Answers.failed(ex, 503, "busy", "Airlock is stopping; retry shortly");
            return;
        }
        // The upstream's answer and ours are worked out side by side; a failed upstream still gets ours out.
        client.post(upstreamBulk, Map.of("Content-Type", "application/json", "Accept", "application/json"), body)
                .handle((resp, err) -> {
                    if (err != null) {
                        LOG.warn("upstream advisories unavailable: {}", err.toString());
                    }
                    return err == null ? resp : null;
                })
                .thenCombine(ours, (resp, mine) -> {
                    respond(ex, resp, mine);
                    return null;
                });
    }

    /** Airlock's advisories on top of the upstream's ({@code upstream} null when it gave none). */
    private static void respond(HttpExchange ex, UpstreamResponse upstream, Map<String, List<Map<String, Object>>> mine) {
        ObjectNode merged = JSON.createObjectNode();
        if (upstream != null && upstream.status() == 200) {
            try {
                JsonNode up = JSON.readTree(upstream.body());
                if (up != null && up.isObject()) {
                    merged.setAll((ObjectNode) up);
                }
            } catch (Exception e) {
                LOG.warn("upstream advisories unreadable: {}", e.toString());
            }
        } else if (upstream != null) {
            LOG.warn("upstream advisories unavailable: status {}", upstream.status());
        }
        mine.forEach((name, list) -> {
            JsonNode existing = merged.path(name);
            ArrayNode arr = existing.isArray() ? (ArrayNode) existing : JSON.createArrayNode();
            list.forEach(a -> arr.add(JSON.valueToTree(a)));
            merged.set(name, arr);
        });
        ex.respondJson(HttpResponseStatus.OK, merged);
    }
}

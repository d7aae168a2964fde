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
 */
public final class AdvisoryMerger {
    private static final Logger LOG = LoggerFactory.getLogger(AdvisoryMerger.class);
    private static final ObjectMapper JSON = Json.MAPPER;
    private final URI upstreamBulk;
    private final UpstreamClient client;
    private final Function<Map<String, List<String>>, Map<String, List<Map<String, Object>>>> local;

    public AdvisoryMerger(URI npmUpstream, UpstreamClient client,
                          Function<Map<String, List<String>>, Map<String, List<Map<String, Object>>>> local) {
        this.upstreamBulk = URI.create(npmUpstream + "-/npm/v1/security/advisories/bulk");
        this.client = client;
        this.local = local;
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
        Map<String, List<Map<String, Object>>> ours;
        try {
            ours = local.apply(request);
        } catch (RuntimeException e) {
            LOG.warn("local advisories failed", e);
            ours = Map.of();
        }
        Map<String, List<Map<String, Object>>> mine = ours;
        client.post(upstreamBulk, Map.of("Content-Type", "application/json", "Accept", "application/json"), body)
                .whenComplete((resp, err) -> {
                    ObjectNode merged = JSON.createObjectNode();
                    if (err == null && resp.status() == 200) {
                        try {
                            JsonNode up = JSON.readTree(resp.body());
                            if (up != null && up.isObject()) {
                                merged.setAll((ObjectNode) up);
                            }
                        } catch (Exception e) {
                            LOG.warn("upstream advisories unreadable: {}", e.toString());
                        }
                    } else {
                        LOG.warn("upstream advisories unavailable: {}", err != null ? err.toString() : "status " + resp.status());
                    }
                    mine.forEach((name, list) -> {
                        JsonNode existing = merged.path(name);
                        ArrayNode arr = existing.isArray() ? (ArrayNode) existing : JSON.createArrayNode();
                        list.forEach(a -> arr.add(JSON.valueToTree(a)));
                        merged.set(name, arr);
                    });
                    ex.respondJson(HttpResponseStatus.OK, merged);
                });
    }
}

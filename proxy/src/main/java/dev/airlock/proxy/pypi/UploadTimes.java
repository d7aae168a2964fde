package dev.airlock.proxy.pypi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.airlock.common.Json;
import dev.airlock.proxy.upstream.MalformedMetadataException;
import dev.airlock.proxy.upstream.MetadataCache;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fills in {@code upload-time} from the upstream's JSON API ({@code <json base>/<project>/json})
 * when its simple index does not carry it (PEP 503 HTML mirrors). Without a publish time policy
 * must treat a version as brand new, so this keeps older versions of such mirrors servable. A
 * missing or broken JSON API changes nothing: the page is used as it is.
 */
public final class UploadTimes {
    private static final Logger LOG = LoggerFactory.getLogger(UploadTimes.class);
    private static final ObjectMapper JSON = Json.MAPPER;
    private final URI jsonBase;
    private final MetadataCache<JsonNode> api;
    /** Identity-keyed: one filled copy per parsed upstream page. */
    private final Cache<SimpleProject, SimpleProject> filled = Caffeine.newBuilder().weakKeys().maximumSize(10_000).build();

    public UploadTimes(URI jsonBase, MetadataCache<JsonNode> api) {
        this.jsonBase = jsonBase;
        this.api = api;
    }

    public static MetadataCache.Parser<JsonNode> parser() {
        return (key, body, ct) -> {
            JsonNode n;
            try {
                n = JSON.readTree(body);
            } catch (Exception e) {
                throw new MalformedMetadataException("JSON API answer is not JSON", e);
            }
            if (n == null || !n.path("releases").isObject()) {
                throw new MalformedMetadataException("JSON API answer has no 'releases' object");
            }
            return n;
        };
    }

    public CompletableFuture<SimpleProject> fill(String name, SimpleProject page) {
        if (page.files().stream().allMatch(f -> f.path("upload-time").isTextual())) {
            return CompletableFuture.completedFuture(page);
        }
        SimpleProject done = filled.getIfPresent(page);
        if (done != null) {
            return CompletableFuture.completedFuture(done);
        }
        return api.get("pypi-json:" + name, jsonBase.resolve(name + "/json"), Map.of("Accept", "application/json"))
                .handle((res, err) -> {
                    if (err != null || res.notFound() || res.document() == null) {
                        LOG.debug("no upload times for {} from the JSON API: {}", name, err == null ? "not found" : err.toString());
                        return page;
                    }
                    SimpleProject merged = merge(page, res.document());
                    filled.put(page, merged);
                    return merged;
                });
    }

    static SimpleProject merge(SimpleProject page, JsonNode api) {
        Map<String, String> times = new HashMap<>();
        api.path("releases").fields().forEachRemaining(e -> e.getValue().forEach(f -> {
            String t = f.path("upload_time_iso_8601").asText(null);
            if (t != null && f.path("filename").isTextual()) {
                times.put(f.path("filename").asText(), t);
            }
        }));
        List<ObjectNode> files = new ArrayList<>(page.files().size());
        for (ObjectNode f : page.files()) {
            String t = times.get(f.path("filename").asText());
            if (t != null && !f.path("upload-time").isTextual()) {
                ObjectNode copy = f.deepCopy();
                copy.put("upload-time", t);
                files.add(copy);
            } else {
                files.add(f);
            }
        }
        return new SimpleProject(page.name(), files, page.versions(), page.topLevel(), page.page());
    }
}

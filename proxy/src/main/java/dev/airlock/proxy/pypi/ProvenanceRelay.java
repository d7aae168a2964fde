package dev.airlock.proxy.pypi;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.model.ArtifactFile;
import dev.airlock.model.PackageCoordinate;
import dev.airlock.policy.Decision;
import dev.airlock.policy.VerdictGate;
import dev.airlock.proxy.http.Answers;
import dev.airlock.proxy.http.HttpExchange;
import dev.airlock.proxy.upstream.UpstreamClient;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.URI;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * PEP 740: relays the upstream's provenance of a file Airlock lists, from the URL the upstream's
 * own entry names (on an allowed host only: no open relay), and only while policy serves the
 * file. Provenance is signed by the publisher's identity, not the index, so its bytes pass unchanged.
 */
final class ProvenanceRelay {
    private final Set<String> allowedHosts;
    private final UpstreamClient client;
    private final VerdictGate gate;

    ProvenanceRelay(Set<String> allowedHosts, UpstreamClient client, VerdictGate gate) {
        this.allowedHosts = allowedHosts;
        this.client = client;
        this.gate = gate;
    }

    void relay(HttpExchange ex, PackageCoordinate c, ArtifactFile file, ObjectNode entry, String filename, Instant published) {
        String source = entry.path("provenance").asText(null);
        URI uri;
        try {
            uri = source == null ? null : URI.create(source);
        } catch (IllegalArgumentException e) {
            uri = null;
        }
        if (uri == null || !("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))) {
            Answers.clientError(ex, HttpResponseStatus.NOT_FOUND, "the index publishes no provenance for " + Answers.ascii(filename));
            return;
        }
        if (uri.getHost() == null || !allowedHosts.contains(uri.getHost().toLowerCase(Locale.ROOT))) {
            Answers.clientError(ex, HttpResponseStatus.FORBIDDEN, "provenance host " + Answers.ascii(String.valueOf(uri.getHost()))
                    + " is not an allowed PyPI host");
            return;
        }
        Decision d;
        try {
            d = gate.listedFile(c, published, file);
        } catch (RuntimeException e) {
            d = Decision.hide("policy_unavailable", "policy could not decide");
        }
        if (!d.serve()) {
            Answers.refused(ex, d);
            return;
        }
        client.get(uri, Map.of("Accept", "application/json")).whenComplete((resp, err) -> {
            if (err != null) {
                Answers.upstreamFailure(ex, err, "the provenance of " + filename);
                return;
            }
            if (resp.status() != 200) {
                Answers.clientError(ex, HttpResponseStatus.valueOf(resp.status() == 404 ? 404 : 502),
                        "the upstream answered " + resp.status() + " for the provenance of " + Answers.ascii(filename));
                return;
            }
            String ct = resp.header("Content-Type");
            HttpHeaders h = new DefaultHttpHeaders();
            // Revalidate: whether the file may be served, and so its provenance, can change.
            h.set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
            ex.respond(HttpResponseStatus.OK, ct == null ? "application/json" : ct, resp.body(), h);
        });
    }
}

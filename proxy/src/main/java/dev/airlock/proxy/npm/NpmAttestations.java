package dev.airlock.proxy.npm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.policy.Decision;
import dev.airlock.policy.VerdictGate;
import dev.airlock.proxy.http.Answers;
import dev.airlock.proxy.http.HttpExchange;
import dev.airlock.proxy.http.Route;
import dev.airlock.proxy.upstream.MetadataCache;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * {@code -/npm/v1/attestations/<name>@<version>}: npm's provenance and publish attestations of
 * one version, relayed from the upstream while Airlock serves that version and refused (the one
 * 403) when it does not. The bundles are signed by Sigstore, not by the registry, so relaying them
 * byte for byte keeps {@code npm audit signatures} verifying them.
 */
public final class NpmAttestations {
    /** Below the npm base, and at Airlock's root: pacote resolves the path of {@code dist.attestations.url} against the registry's host. */
    public static final String PATH = "-/npm/v1/attestations/";

    private final URI upstream;
    private final MetadataCache<Packument> packuments;
    private final VerdictGate gate;

    public NpmAttestations(URI upstream, MetadataCache<Packument> packuments, VerdictGate gate) {
        this.upstream = upstream;
        this.packuments = packuments;
        this.gate = gate;
    }

    /** The relay as a route of its own at {@code /-/npm/v1/attestations/}. */
    public Route atRoot() {
        return new Route() {
            @Override
            public String prefix() {
                return "/" + PATH;
            }

            @Override
            public void handle(HttpExchange ex) {
                if (!ex.method().equals(HttpMethod.GET) && !ex.method().equals(HttpMethod.HEAD)) {
                    Answers.clientError(ex, HttpResponseStatus.METHOD_NOT_ALLOWED, "attestations are read-only");
                    return;
                }
                NpmAttestations.this.handle(ex, ex.rawPath().substring(prefix().length()));
            }
        };
    }

    /** @param spec the still-encoded {@code <name>@<version>} after {@link #PATH} */
    public void handle(HttpExchange ex, String spec) {
        String decoded;
        try {
            decoded = URLDecoder.decode(spec.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            Answers.clientError(ex, HttpResponseStatus.BAD_REQUEST, "malformed percent-encoding in path");
            return;
        }
        int at = decoded.lastIndexOf('@');
        if (at <= 0 || at == decoded.length() - 1) {
            Answers.clientError(ex, HttpResponseStatus.BAD_REQUEST, "expected <name>@<version>, got " + Answers.ascii(decoded));
            return;
        }
        NpmPackageName name;
        try {
            name = NpmPackageName.parse(decoded.substring(0, at));
        } catch (IllegalArgumentException e) {
            Answers.clientError(ex, HttpResponseStatus.BAD_REQUEST, e.getMessage());
            return;
        }
        String version = decoded.substring(at + 1);
        ex.describe("npm:" + name.full() + "@" + version, "-");
        URI doc = URI.create(upstream + name.urlForm());
        packuments.get("npm:" + name.full(), doc, Map.of("Accept", "application/json")).whenComplete((res, err) -> {
            try {
                if (err != null) {
                    Answers.upstreamFailure(ex, err, "metadata of " + name.full());
                } else if (res.notFound() || res.document().version(version) == null || !res.document().version(version).object()) {
                    Answers.clientError(ex, HttpResponseStatus.NOT_FOUND, "version " + Answers.ascii(version) + " of " + name.full() + " not found");
                } else {
                    decided(ex, name, version, res.document());
                }
            } catch (RuntimeException e) {
                Answers.failed(ex, 500, "internal_error", "Airlock failed on " + name.full() + ": " + e.getClass().getSimpleName());
            }
        });
    }

    private void decided(HttpExchange ex, NpmPackageName name, String version, Packument doc) {
        Decision d = PackumentFilter.decide(name, version, doc.publishTime(version), gate);
        if (!d.serve()) {
            Answers.refused(ex, d);
            return;
        }
        URI target = source(name, version);
        packuments.client().get(target, Map.of("Accept", "application/json")).whenComplete((resp, err) -> {
            if (err != null) {
                Answers.upstreamFailure(ex, err, "the attestations of " + name.full() + "@" + version);
                return;
            }
            if (resp.status() != 200) {
                Answers.clientError(ex, HttpResponseStatus.valueOf(resp.status() == 404 ? 404 : 502),
                        "the upstream answered " + resp.status() + " for the attestations of " + name.full() + "@" + Answers.ascii(version));
                return;
            }
            String ct = resp.header("Content-Type");
            HttpHeaders h = new DefaultHttpHeaders();
            h.set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
            ex.describe("npm:" + name.full() + "@" + version, "allowed");
            ex.respond(HttpResponseStatus.OK, ct == null ? "application/json" : ct, resp.body(), h);
        });
    }

    /**
     * The conventional path under the upstream base: the packument index keeps no attestation
     * URL, and a fixed path means Airlock never relays to a host a document names.
     */
    URI source(NpmPackageName name, String version) {
        return URI.create(upstream + PATH + name.urlForm() + "@" + version);
    }
}

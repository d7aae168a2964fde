package dev.airlock.proxy.npm;

import dev.airlock.policy.VerdictGate;
import dev.airlock.proxy.ArtifactService;
import dev.airlock.proxy.http.Answers;
import dev.airlock.proxy.http.HttpExchange;
import dev.airlock.proxy.http.RenderCache;
import dev.airlock.proxy.http.Route;
import dev.airlock.proxy.upstream.MalformedMetadataException;
import dev.airlock.proxy.upstream.MetadataCache;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Everything under {@code /npm/}: packuments (full and abbreviated), version documents,
 * tarballs, ping, and the audit endpoint.
 */
public final class NpmRoute implements Route {
    private static final String PREFIX = "/npm/";

    /** Read-only registry endpoints that carry no package bytes: passed through as they are. */
    private static final java.util.Set<String> FORWARDED = java.util.Set.of("-/v1/search", "-/npm/v1/keys");
    /** npm asks for the keys with and without a trailing slash depending on how the registry URL was written. */
    private static final String KEYS_SLASH = "-/npm/v1/keys/";
    private final URI upstream;
    private final MetadataCache<Packument> packuments;
    private final AdvisoryMerger advisories;
    private final NpmAttestations attestations;
    private static final Map<String, String> UPSTREAM_ACCEPT = Map.of("Accept", "application/json");
    private final NpmDocuments documents;
    private final NpmDownloads downloads;

    /**
     * @param renderer where policy and the filtering pass run when no rendered copy is cached
     * @param rendered filtered documents, shared by nothing else
     */
    public NpmRoute(URI upstream, MetadataCache<Packument> packuments, ArtifactService artifacts, VerdictGate gate,
                    URI publicUrl, AdvisoryMerger advisories, RenderCache rendered, Executor renderer) {
        this.upstream = upstream;
        this.packuments = packuments;
        this.advisories = advisories;
        this.attestations = new NpmAttestations(upstream, packuments, gate);
        this.documents = new NpmDocuments(upstream, gate, publicUrl, rendered, renderer);
        this.downloads = new NpmDownloads(artifacts, packuments.client());
    }

    /**
     * The same attestation relay at Airlock's root: pacote fetches the path of
     * {@code dist.attestations.url} from the registry's host, so an upstream URL that was not
     * rewritten under the npm base arrives at {@code /-/npm/v1/attestations/...}.
     */
    public Route rootAttestations() {
        return attestations.atRoot();
    }

    /** Parses an upstream packument; anything but a JSON object with an object of versions is malformed. */
    public static Packument parsePackument(String key, byte[] body, String contentType) throws MalformedMetadataException {
        return Packument.parse(body);
    }

    @Override
    public String prefix() {
        return PREFIX;
    }

    @Override
    public void handle(HttpExchange ex) {
        String raw = ex.rawPath().substring(PREFIX.length());
        if (raw.equals("-/ping") || raw.startsWith("-/ping?")) {
            ex.respondJson(HttpResponseStatus.OK, Map.of());
            return;
        }
        if (raw.equals("-/npm/v1/security/advisories/bulk")) {
            if (!ex.method().equals(HttpMethod.POST)) {
                Answers.clientError(ex, HttpResponseStatus.METHOD_NOT_ALLOWED, "use POST");
                return;
            }
            advisories.handle(ex);
            return;
        }
        if (!ex.method().equals(HttpMethod.GET) && !ex.method().equals(HttpMethod.HEAD)) {
            Answers.clientError(ex, HttpResponseStatus.METHOD_NOT_ALLOWED, "Airlock's npm registry is read-only");
            return;
        }
        if (FORWARDED.contains(raw)) {
            forward(ex, raw);
            return;
        }
        if (raw.equals(KEYS_SLASH)) {
            forward(ex, "-/npm/v1/keys");
            return;
        }
        if (raw.startsWith(NpmAttestations.PATH)) {
            attestations.handle(ex, raw.substring(NpmAttestations.PATH.length()));
            return;
        }
        if (raw.startsWith("-/")) {
            Answers.clientError(ex, HttpResponseStatus.NOT_FOUND, "endpoint /" + raw + " is not served by Airlock");
            return;
        }
        NpmPath path;
        try {
            path = NpmPath.parse(raw);
        } catch (NpmPath.Invalid e) {
            Answers.clientError(ex, HttpResponseStatus.valueOf(e.status()), e.getMessage());
            return;
        }
        switch (path.kind()) {
            case PACKUMENT -> packument(ex, path.name());
            case VERSION -> versionDocument(ex, path.name(), path.child());
            case TARBALL -> tarball(ex, path.name(), path.child());
        }
    }

    /** Search and signing keys come from the upstream unchanged; they name packages but serve none. */
    private void forward(HttpExchange ex, String raw) {
        String q = ex.rawQuery();
        URI uri = URI.create(upstream + raw + (q.isEmpty() ? "" : "?" + q));
        packuments.client().get(uri, Map.of("Accept", "application/json")).whenComplete((resp, err) -> {
            if (err != null) {
                Answers.upstreamFailure(ex, err, "/" + raw);
                return;
            }
            String ct = resp.header("Content-Type");
            ex.respond(HttpResponseStatus.valueOf(resp.status()), ct == null ? "application/json" : ct, resp.body(), null);
        });
    }

    private void withPackument(HttpExchange ex, NpmPackageName name, Consumer<Packument> then) {
        packuments.get("npm:" + name.full(), () -> URI.create(upstream + name.urlForm()), UPSTREAM_ACCEPT)
                .whenComplete((res, err) -> {
                    try {
                        if (err != null) {
                            Answers.upstreamFailure(ex, err, "metadata of " + name.full());
                        } else if (res.notFound()) {
                            Answers.clientError(ex, HttpResponseStatus.NOT_FOUND, "package " + name.full() + " not found upstream");
                        } else {
                            then.accept(res.document());
                        }
                    } catch (RuntimeException e) {
                        NpmDocuments.internalError(ex, name, e);
                    }
                });
    }

    private void packument(HttpExchange ex, NpmPackageName name) {
        ex.describe("npm:" + name.full(), "-");
        withPackument(ex, name, doc -> documents.packument(ex, name, doc));
    }

    private void versionDocument(HttpExchange ex, NpmPackageName name, String versionOrTag) {
        withPackument(ex, name, doc -> documents.versionDocument(ex, name, doc, versionOrTag));
    }

    private void tarball(HttpExchange ex, NpmPackageName name, String file) {
        ex.describe("npm:" + name.full(), "-");
        withPackument(ex, name, doc -> downloads.serve(ex, name, doc, file));
    }
}

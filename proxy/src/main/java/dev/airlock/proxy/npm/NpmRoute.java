package dev.airlock.proxy.npm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.airlock.common.Json;
import dev.airlock.model.Ecosystem;
import dev.airlock.model.PackageCoordinate;
import dev.airlock.policy.Decision;
import dev.airlock.policy.VerdictGate;
import dev.airlock.proxy.ArtifactService;
import dev.airlock.proxy.PublicBase;
import dev.airlock.proxy.http.AcceptHeader;
import dev.airlock.proxy.http.Answers;
import dev.airlock.proxy.http.HttpExchange;
import dev.airlock.proxy.http.MetadataAnswer;
import dev.airlock.proxy.http.RenderCache;
import dev.airlock.proxy.http.Route;
import dev.airlock.proxy.store.ExpectedDigest;
import dev.airlock.proxy.upstream.MalformedMetadataException;
import dev.airlock.proxy.upstream.MetadataCache;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything under {@code /npm/}: packuments (full and abbreviated), version documents,
 * tarballs, ping, and the audit endpoint.
 */
public final class NpmRoute implements Route {
    private static final Logger LOG = LoggerFactory.getLogger(NpmRoute.class);
    private static final String PREFIX = "/npm/";
    private static final String ABBREVIATED = "application/vnd.npm.install-v1+json";
    private static final ObjectMapper JSON = Json.MAPPER;
    /** Characters a decoded package path may contain; anything else (.., backslashes, NUL) is refused. */
    private static final Pattern SAFE_PATH = Pattern.compile("^[A-Za-z0-9@/._~+-]+$");

    /** Read-only registry endpoints that carry no package bytes: passed through as they are. */
    private static final java.util.Set<String> FORWARDED = java.util.Set.of("-/v1/search", "-/npm/v1/keys");
    /** npm asks for the keys with and without a trailing slash depending on how the registry URL was written. */
    private static final String KEYS_SLASH = "-/npm/v1/keys/";
    private final URI upstream;
    private final MetadataCache<Packument> packuments;
    private final ArtifactService artifacts;
    private final VerdictGate gate;
    private final URI publicUrl;
    private final AdvisoryMerger advisories;
    private final NpmAttestations attestations;
    private static final Map<String, String> UPSTREAM_ACCEPT = Map.of("Accept", "application/json");
    /** Filtered, rendered documents: reused while the upstream copy and every verdict are unchanged. */
    private final RenderCache rendered;
    private final Executor renderer;

    /**
     * @param renderer where policy and the filtering pass run when no rendered copy is cached
     * @param rendered filtered documents, shared by nothing else
     */
    public NpmRoute(URI upstream, MetadataCache<Packument> packuments, ArtifactService artifacts, VerdictGate gate,
                    URI publicUrl, AdvisoryMerger advisories, RenderCache rendered, Executor renderer) {
        this.rendered = rendered;
        this.renderer = renderer;
        this.upstream = upstream;
        this.packuments = packuments;
        this.artifacts = artifacts;
        this.gate = gate;
        this.publicUrl = publicUrl;
        this.advisories = advisories;
        this.attestations = new NpmAttestations(upstream, packuments, gate);
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
        String path;
        try {
            path = URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            Answers.clientError(ex, HttpResponseStatus.BAD_REQUEST, "malformed percent-encoding in path");
            return;
        }
        if (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        if (!SAFE_PATH.matcher(path).matches() || path.contains("..") || path.contains("//")) {
            Answers.clientError(ex, HttpResponseStatus.BAD_REQUEST, "invalid npm path '" + Answers.ascii(path) + "'");
            return;
        }
        String[] parts = path.split("/");
        int nameLen = parts[0].startsWith("@") ? 2 : 1;
        if (parts.length < nameLen) {
            Answers.clientError(ex, HttpResponseStatus.BAD_REQUEST, "invalid npm package name");
            return;
        }
        NpmPackageName name;
        try {
            name = NpmPackageName.parse(nameLen == 2 ? parts[0] + "/" + parts[1] : parts[0]);
        } catch (IllegalArgumentException e) {
            Answers.clientError(ex, HttpResponseStatus.BAD_REQUEST, e.getMessage());
            return;
        }
        int rest = parts.length - nameLen;
        if (rest == 0) {
            packument(ex, name);
        } else if (rest == 1) {
            versionDocument(ex, name, parts[nameLen]);
        } else if (rest == 2 && parts[nameLen].equals("-") && parts[nameLen + 1].endsWith(".tgz")) {
            tarball(ex, name, parts[nameLen + 1]);
        } else {
            Answers.clientError(ex, HttpResponseStatus.NOT_FOUND, "no such npm resource: /" + path);
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
        URI uri = URI.create(upstream + name.urlForm());
        packuments.get("npm:" + name.full(), uri, UPSTREAM_ACCEPT)
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
                        internalError(ex, name, e);
                    }
                });
    }

    private static void internalError(HttpExchange ex, NpmPackageName name, RuntimeException e) {
        LOG.warn("npm request for {} failed", name.full(), e);
        Answers.failed(ex, 500, "internal_error", "Airlock failed on " + name.full() + ": " + e.getClass().getSimpleName());
    }

    /** Runs work that may take a while (policy for every version, a pass over the document) off the event loop. */
    private void offLoop(HttpExchange ex, NpmPackageName name, Runnable work) {
        try {
            renderer.execute(() -> {
                try {
                    work.run();
                } catch (RuntimeException e) {
                    internalError(ex, name, e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            Answers.failed(ex, 503, "overloaded", "Airlock is shutting down or overloaded");
        }
    }

    private void packument(HttpExchange ex, NpmPackageName name) {
        String accept = ex.header(HttpHeaderNames.ACCEPT);
        boolean abbreviated = accept != null && accept.contains(ABBREVIATED) && prefersAbbreviated(accept);
        String form = abbreviated ? "npm-abbreviated" : "npm-full";
        String base = PublicBase.of(ex, publicUrl) + "npm/";
        ex.describe("npm:" + name.full(), "-");
        withPackument(ex, name, doc -> {
            long generation = gate.generation();
            MetadataAnswer cached = rendered.getIfPresent(name.full(), form, base, generation, doc);
            if (cached != null) {
                ex.describe("npm:" + name.full(), "listed");
                cached.send(ex);
                return;
            }
            offLoop(ex, name, () -> {
                MetadataAnswer answer = rendered.get(name.full(), form, base, generation, doc,
                        () -> render(name, doc, new NpmLinks(base, upstream), abbreviated));
                ex.describe("npm:" + name.full(), "listed");
                answer.send(ex);
            });
        });
    }

    private MetadataAnswer render(NpmPackageName name, Packument doc, NpmLinks links, boolean abbreviated) {
        PackumentFilter.Verdicts v = PackumentFilter.decide(name, doc, gate);
        HttpHeaders h = new DefaultHttpHeaders();
        if (!v.hidden().isEmpty()) {
            h.set("npm-notice", Answers.ascii(notice(name, v.hidden())));
        }
        return new MetadataAnswer(abbreviated ? "npm-abbreviated" : "npm-full",
                abbreviated ? ABBREVIATED + "; charset=utf-8" : "application/json; charset=utf-8",
                PackumentFilter.render(name, doc, v, links, abbreviated), h);
    }

    /** npm prints this header as "npm notice ...", so users who get "No matching version" see why. */
    static String notice(NpmPackageName name, List<PackumentFilter.Hidden> hidden) {
        StringBuilder sb = new StringBuilder("Airlock hid ").append(hidden.size())
                .append(hidden.size() == 1 ? " version of " : " versions of ").append(name.full()).append(": ");
        int shown = 0;
        for (PackumentFilter.Hidden h : hidden) {
            if (shown++ == 5) {
                sb.append(", ...");
                break;
            }
            if (shown > 1) {
                sb.append(", ");
            }
            sb.append(h.version()).append(" (").append(h.decision().code());
            if (shown <= 2) {
                // The first reasons in full: this line is all an npm user sees when a version "does not exist".
                sb.append(": ").append(h.decision().message());
            }
            sb.append(')');
        }
        return sb.toString();
    }

    private static boolean prefersAbbreviated(String accept) {
        Map<String, Double> q = AcceptHeader.qualities(accept);
        double abbreviated = AcceptHeader.best(q, ABBREVIATED);
        return abbreviated > 0 && abbreviated >= AcceptHeader.best(q, "application/json", "*/*");
    }

    private void versionDocument(HttpExchange ex, NpmPackageName name, String versionOrTag) {
        String base = PublicBase.of(ex, publicUrl) + "npm/";
        withPackument(ex, name, doc -> {
            Packument.Version v = doc.version(doc.resolveTag(versionOrTag));
            if (v == null || !v.object()) {
                Answers.clientError(ex, HttpResponseStatus.NOT_FOUND, "version " + versionOrTag + " of " + name.full() + " not found");
                return;
            }
            offLoop(ex, name, () -> {
                // Decide the whole document so tags that name a hidden version resolve the way the packument says.
                PackumentFilter.Verdicts verdicts = PackumentFilter.decide(name, doc, gate);
                String resolved = verdicts.resolve(versionOrTag);
                byte[] body = verdicts.shown().contains(resolved)
                        ? PackumentFilter.versionDocument(name, doc, resolved, new NpmLinks(base, upstream)) : null;
                if (body == null) {
                    Decision d = verdicts.hidden().stream().filter(h -> h.version().equals(resolved))
                            .map(PackumentFilter.Hidden::decision).findFirst()
                            .orElse(Decision.hide("not_found", "version " + versionOrTag + " is not available"));
                    ex.describe("npm:" + name.full() + "@" + resolved, d.code());
                    Answers.refused(ex, d);
                    return;
                }
                new MetadataAnswer("npm-version", "application/json; charset=utf-8", body, null).send(ex);
            });
        });
    }

    private void tarball(HttpExchange ex, NpmPackageName name, String file) {
        ex.describe("npm:" + name.full(), "-");
        withPackument(ex, name, doc -> {
            Packument.Version found = findVersion(name, doc, file);
            if (found == null) {
                Answers.clientError(ex, HttpResponseStatus.NOT_FOUND, "no version of " + name.full() + " has tarball " + file);
                return;
            }
            String version = found.version();
            String upstreamUrl = found.tarball() == null ? "" : found.tarball();
            URI uri;
            try {
                uri = URI.create(upstreamUrl);
                if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
                    throw new IllegalArgumentException("not http(s)");
                }
            } catch (IllegalArgumentException e) {
                Answers.failed(ex, 502, "malformed_metadata", "upstream tarball URL of " + name.full() + "@" + version + " is invalid");
                return;
            }
            ExpectedDigest expected = found.expected();
            if (expected == null) {
                // Nothing to verify against means nothing we can vouch for.
                Answers.failed(ex, 502, "integrity_missing", name.full() + "@" + version + " has no usable integrity or shasum");
                return;
            }
            PackageCoordinate c;
            try {
                c = PackageCoordinate.of(Ecosystem.NPM, name.full(), version);
            } catch (IllegalArgumentException e) {
                Answers.clientError(ex, HttpResponseStatus.BAD_REQUEST, e.getMessage());
                return;
            }
            java.time.Instant published = found.published();
            artifacts.serve(ex, new ArtifactService.Request(c, published, uri, expected, "npm|" + upstreamUrl,
                    "application/octet-stream", packuments.client(), file, NpmTarballs.file(uri, file, published)));
        });
    }

    /** The version whose tarball has this file name: by the conventional name first, then by search. */
    static Packument.Version findVersion(NpmPackageName name, Packument doc, String file) {
        String guess = name.versionFromTarball(file);
        Packument.Version v = guess == null ? null : doc.version(guess);
        if (v != null && v.object() && (v.tarball() == null || v.tarball().isEmpty() || v.tarball().endsWith("/" + file))) {
            return v;
        }
        for (Packument.Version candidate : doc.versions().values()) {
            if (candidate.object() && candidate.tarball() != null && candidate.tarball().endsWith("/" + file)) {
                return candidate;
            }
        }
        return null;
    }
}

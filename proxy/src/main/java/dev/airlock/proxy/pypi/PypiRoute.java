package dev.airlock.proxy.pypi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.model.ArtifactFile;
import dev.airlock.model.Ecosystem;
import dev.airlock.model.PackageCoordinate;
import dev.airlock.model.PackageNames;
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
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Everything under {@code /pypi/}: the simple index (PEP 503 / 691) and the files it lists. */
public final class PypiRoute implements Route {
    private static final Logger LOG = LoggerFactory.getLogger(PypiRoute.class);
    private static final String PREFIX = "/pypi/";
    private static final String SIMPLE = "/pypi/simple/";
    private static final String FILES = "/pypi/files/";
    static final String JSON_TYPE = "application/vnd.pypi.simple.v1+json";
    static final String HTML_TYPE = "application/vnd.pypi.simple.v1+html";
    private static final String UPSTREAM_ACCEPT = JSON_TYPE + ", " + HTML_TYPE + ";q=0.2, text/html;q=0.01";
    /** Raw path characters of a file URL; percent-escapes stay encoded and are passed on as they are. */
    private static final Pattern SAFE_FILE_PATH = Pattern.compile("^[A-Za-z0-9._~%+!/-]+$");
    private static final Pattern AUTHORITY = Pattern.compile("^[A-Za-z0-9.-]+(:\\d{1,5})?$");

    private final URI upstream;
    private final Set<String> allowedHosts;
    private final MetadataCache<SimpleProject> pages;
    private final ArtifactService artifacts;
    private final VerdictGate gate;
    private final URI publicUrl;
    private final UploadTimes uploadTimes;
    private final ProvenanceRelay provenances;
    /** Filtered, rendered pages: reused while the upstream copy and every verdict are unchanged. */
    private final RenderCache rendered;

    public PypiRoute(URI upstream, List<String> fileHosts, MetadataCache<SimpleProject> pages, ArtifactService artifacts,
                     VerdictGate gate, URI publicUrl, UploadTimes uploadTimes, RenderCache rendered) {
        this.rendered = rendered;
        this.uploadTimes = uploadTimes;
        this.upstream = upstream;
        java.util.HashSet<String> hosts = new java.util.HashSet<>();
        hosts.add(upstream.getHost().toLowerCase(Locale.ROOT));
        fileHosts.forEach(h -> hosts.add(h.toLowerCase(Locale.ROOT)));
        this.allowedHosts = Set.copyOf(hosts);
        this.pages = pages;
        this.artifacts = artifacts;
        this.gate = gate;
        this.publicUrl = publicUrl;
        this.provenances = new ProvenanceRelay(allowedHosts, pages.client(), gate);
    }

    /** The parser the page cache uses; the cache key is {@code pypi:<normalised name>}. */
    public static MetadataCache.Parser<SimpleProject> parser(URI upstream) {
        return (key, body, ct) -> {
            String name = key.substring("pypi:".length());
            return SimpleParser.parse(body, ct, upstream.resolve(name + "/"), name);
        };
    }

    @Override
    public String prefix() {
        return PREFIX;
    }

    @Override
    public void handle(HttpExchange ex) {
        if (!ex.method().equals(HttpMethod.GET) && !ex.method().equals(HttpMethod.HEAD)) {
            Answers.clientError(ex, HttpResponseStatus.METHOD_NOT_ALLOWED, "Airlock's PyPI index is read-only");
            return;
        }
        String path = ex.rawPath();
        if (path.startsWith(SIMPLE)) {
            simple(ex, path.substring(SIMPLE.length()));
        } else if (path.equals("/pypi/simple")) {
            redirect(ex, SIMPLE);
        } else if (path.startsWith(FILES)) {
            file(ex, path.substring(FILES.length()));
        } else {
            Answers.clientError(ex, HttpResponseStatus.NOT_FOUND, "no such PyPI resource: " + Answers.ascii(path));
        }
    }

    private void simple(HttpExchange ex, String rest) {
        if (rest.isEmpty()) {
            // The full project list is tens of megabytes and no installer needs it.
            ex.respond(HttpResponseStatus.OK, "text/html; charset=utf-8",
                    ("<!DOCTYPE html>\n<html><head><meta name=\"pypi:repository-version\" content=\"1.1\">"
                            + "<title>Airlock simple index</title></head><body><p>Airlock proxies project pages at "
                            + "/pypi/simple/&lt;project&gt;/; the full project list is not served.</p></body></html>\n")
                            .getBytes(StandardCharsets.UTF_8), null);
            return;
        }
        boolean slash = rest.endsWith("/");
        String raw = slash ? rest.substring(0, rest.length() - 1) : rest;
        String decoded;
        try {
            decoded = java.net.URLDecoder.decode(raw, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            Answers.clientError(ex, HttpResponseStatus.BAD_REQUEST, "malformed percent-encoding in path");
            return;
        }
        if (!PackageNames.isValidPypi(decoded)) {
            Answers.clientError(ex, HttpResponseStatus.BAD_REQUEST, "invalid project name '" + Answers.ascii(decoded) + "'");
            return;
        }
        String name = PackageNames.normalizePypi(decoded);
        if (!slash || !name.equals(raw)) {
            redirect(ex, SIMPLE + name + "/");
            return;
        }
        Negotiated n = negotiate(ex.header(HttpHeaderNames.ACCEPT));
        String base = PublicBase.of(ex, publicUrl) + "pypi/";
        ex.describe("pypi:" + name, "-");
        withPage(ex, name, page -> {
            MetadataAnswer answer = rendered.get(name, n.name(), base, gate.generation(), page, () -> {
                SimpleRenderer.Filtered f = SimpleRenderer.filter(page, name, gate, base);
                HttpHeaders h = new DefaultHttpHeaders();
                if (!f.hidden().isEmpty()) {
                    h.set("X-Airlock-Hidden", Answers.ascii(hiddenSummary(f.hidden())));
                }
                return n == Negotiated.JSON
                        ? new MetadataAnswer("pypi-json", JSON_TYPE, SimpleRenderer.json(f), h)
                        : new MetadataAnswer(n == Negotiated.VND_HTML ? "pypi-vnd-html" : "pypi-html",
                        n == Negotiated.VND_HTML ? HTML_TYPE : "text/html; charset=utf-8", SimpleRenderer.html(f), h);
            });
            ex.describe("pypi:" + name, "listed");
            answer.send(ex);
        });
    }

    private static String hiddenSummary(Map<String, Decision> hidden) {
        StringBuilder sb = new StringBuilder();
        hidden.forEach((v, d) -> {
            if (sb.length() < 200) {
                sb.append(sb.length() == 0 ? "" : ", ").append(v).append(" (").append(d.code()).append(')');
            }
        });
        return sb.toString();
    }

    enum Negotiated { JSON, VND_HTML, HTML }

    /** Picks the representation with the highest q among the three PEP 691 types; HTML when nothing says otherwise. */
    static Negotiated negotiate(String accept) {
        if (accept == null || accept.isBlank()) {
            return Negotiated.HTML;
        }
        Map<String, Double> q = AcceptHeader.qualities(accept);
        double json = AcceptHeader.best(q, JSON_TYPE, "application/vnd.pypi.simple.latest+json");
        double vnd = AcceptHeader.best(q, HTML_TYPE, "application/vnd.pypi.simple.latest+html");
        double html = AcceptHeader.best(q, "text/html", "*/*", "text/*");
        if (json > 0 && json >= vnd && json >= html) {
            return Negotiated.JSON;
        }
        if (vnd > 0 && vnd >= html) {
            return Negotiated.VND_HTML;
        }
        return Negotiated.HTML;
    }

    private void redirect(HttpExchange ex, String location) {
        HttpHeaders h = new DefaultHttpHeaders();
        h.set(HttpHeaderNames.LOCATION, location);
        ex.respond(HttpResponseStatus.MOVED_PERMANENTLY, "text/plain; charset=utf-8",
                ("see " + location + "\n").getBytes(StandardCharsets.UTF_8), h);
    }

    private void withPage(HttpExchange ex, String name, Consumer<SimpleProject> then) {
        URI uri = upstream.resolve(name + "/");
        pages.get("pypi:" + name, uri, Map.of("Accept", UPSTREAM_ACCEPT)).whenComplete((res, err) -> {
            try {
                if (err != null) {
                    Answers.upstreamFailure(ex, err, "the project page of " + name);
                } else if (res.notFound()) {
                    Answers.clientError(ex, HttpResponseStatus.NOT_FOUND, "project " + name + " not found upstream");
                } else if (uploadTimes == null) {
                    then.accept(res.document());
                } else {
                    uploadTimes.fill(name, res.document()).whenComplete((page, e2) -> {
                        try {
                            then.accept(e2 == null ? page : res.document());
                        } catch (RuntimeException e) {
                            LOG.warn("PyPI request for {} failed", name, e);
                            Answers.failed(ex, 500, "internal_error", "Airlock failed on " + name + ": " + e.getClass().getSimpleName());
                        }
                    });
                }
            } catch (RuntimeException e) {
                LOG.warn("PyPI request for {} failed", name, e);
                Answers.failed(ex, 500, "internal_error", "Airlock failed on " + name + ": " + e.getClass().getSimpleName());
            }
        });
    }

    /** {@code <project>/<scheme>/<authority>/<path>[.metadata]} */
    private void file(HttpExchange ex, String rest) {
        String[] parts = rest.split("/", 4);
        if (parts.length < 4 || !SAFE_FILE_PATH.matcher(parts[3]).matches() || rest.contains("..")
                || rest.toLowerCase(Locale.ROOT).contains("%2f") || rest.toLowerCase(Locale.ROOT).contains("%2e")
                || rest.contains("%5c") || rest.contains("%5C") || rest.contains("%00")) {
            Answers.clientError(ex, HttpResponseStatus.BAD_REQUEST, "invalid file path");
            return;
        }
        String project = parts[0];
        String scheme = parts[1];
        // Clients may percent-encode the port's colon (pip does).
        String authority = parts[2].replace("%3A", ":").replace("%3a", ":");
        if (!PackageNames.isValidPypi(project) || !project.equals(PackageNames.normalizePypi(project))
                || !(scheme.equals("http") || scheme.equals("https")) || !AUTHORITY.matcher(authority).matches()) {
            Answers.clientError(ex, HttpResponseStatus.BAD_REQUEST, "invalid file path");
            return;
        }
        String host = authority.contains(":") ? authority.substring(0, authority.indexOf(':')) : authority;
        if (!allowedHosts.contains(host.toLowerCase(Locale.ROOT))) {
            // Never an open relay: only the index's own host and the configured file hosts are fetched.
            Answers.clientError(ex, HttpResponseStatus.FORBIDDEN, "file host " + host + " is not an allowed PyPI file host");
            return;
        }
        boolean metadata = parts[3].endsWith(".metadata");
        boolean provenance = parts[3].endsWith(SimpleRenderer.PROVENANCE_SUFFIX);
        String filePath = metadata ? parts[3].substring(0, parts[3].length() - ".metadata".length())
                : provenance ? parts[3].substring(0, parts[3].length() - SimpleRenderer.PROVENANCE_SUFFIX.length()) : parts[3];
        URI fileUri;
        try {
            fileUri = new URI(scheme + "://" + authority + "/" + filePath);
        } catch (URISyntaxException e) {
            Answers.clientError(ex, HttpResponseStatus.BAD_REQUEST, "invalid file path");
            return;
        }
        String filename = filePath.substring(filePath.lastIndexOf('/') + 1);
        String version = PypiFilenames.version(project, java.net.URLDecoder.decode(filename, StandardCharsets.UTF_8));
        if (version == null) {
            Answers.clientError(ex, HttpResponseStatus.NOT_FOUND, "cannot tell the version of " + Answers.ascii(filename));
            return;
        }
        ex.describe("pypi:" + project + "@" + version, "-");
        withPage(ex, project, page -> {
            ObjectNode entry = findFile(page, fileUri);
            if (entry == null) {
                Answers.clientError(ex, HttpResponseStatus.NOT_FOUND, "the index of " + project + " lists no file " + Answers.ascii(filename));
                return;
            }
            PackageCoordinate c;
            try {
                c = PackageCoordinate.of(Ecosystem.PYPI, project, version);
            } catch (IllegalArgumentException e) {
                Answers.clientError(ex, HttpResponseStatus.BAD_REQUEST, e.getMessage());
                return;
            }
            java.time.Instant published = SimpleRenderer.publishTime(filesOf(page, project, version));
            ArtifactFile file = SimpleRenderer.fileOf(entry);
            if (file == null) {
                Answers.clientError(ex, HttpResponseStatus.NOT_FOUND, "the index lists no valid file " + Answers.ascii(filename));
                return;
            }
            ProjectStatus status = ProjectStatus.upstream(page);
            if (status.quarantined()) {
                Answers.refused(ex, status.refusal(project));
                return;
            }
            if (provenance) {
                provenances.relay(ex, c, file, entry, filename, published);
                return;
            }
            if (metadata) {
                metadataFile(ex, c, file, entry, fileUri, filename, published);
                return;
            }
            String sha = entry.path("hashes").path("sha256").asText(null);
            ExpectedDigest expected;
            try {
                expected = ExpectedDigest.sha256Hex(sha);
            } catch (IllegalArgumentException e) {
                Answers.failed(ex, 502, "integrity_missing", filename + " has no sha256 published by the index");
                return;
            }
            artifacts.serve(ex, new ArtifactService.Request(c, published, fileUri, expected, "pypi|" + fileUri,
                    "application/octet-stream", pages.client(), filename, file));
        });
    }

    private void metadataFile(HttpExchange ex, PackageCoordinate c, ArtifactFile file, ObjectNode entry, URI fileUri,
                              String filename, java.time.Instant published) {
        JsonNode cm = SimpleRenderer.verifiableMetadata(entry);
        if (cm == null) {
            Answers.clientError(ex, HttpResponseStatus.NOT_FOUND, "no verifiable core metadata for " + filename);
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
        URI mdUri = URI.create(fileUri + ".metadata");
        artifacts.serveUnchecked(ex, new ArtifactService.Request(c, published, mdUri,
                ExpectedDigest.sha256Hex(cm.get("sha256").asText()), "pypi|" + mdUri, "application/octet-stream",
                pages.client(), filename + ".metadata"));
    }

    private static List<ObjectNode> filesOf(SimpleProject page, String project, String version) {
        return page.files().stream()
                .filter(f -> version.equals(PypiFilenames.version(project, f.path("filename").asText())))
                .toList();
    }

    private static ObjectNode findFile(SimpleProject page, URI fileUri) {
        String wanted = fileUri.toString();
        for (ObjectNode f : page.files()) {
            String u = f.path("url").asText();
            int hash = u.indexOf('#');
            if ((hash >= 0 ? u.substring(0, hash) : u).equals(wanted)) {
                return f;
            }
        }
        return null;
    }
}

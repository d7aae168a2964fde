package dev.airlock.proxy.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A small upstream registry on loopback that serves the generated fixtures the way the public
 * registries do: a PyPI simple index (PEP 503 HTML and PEP 691 JSON by {@code Accept}, PEP 658
 * metadata files, a JSON API) with files on a hash-shaped path, and npm packuments (full and
 * abbreviated by {@code Accept}), tarballs, ping and the bulk advisory endpoint. Metadata carries
 * ETags and answers {@code If-None-Match} with 304, like the real ones.
 *
 * <p>Layout: {@code <base>pypi/simple/}, {@code <base>pypi/<project>/json}, {@code <base>files/...},
 * {@code <base>npm/}. Every request is logged so tests can tell what reached the upstream.
 */
final class FakeRegistry implements AutoCloseable {
    static final String PYPI_JSON = "application/vnd.pypi.simple.v1+json";
    static final String PYPI_HTML = "application/vnd.pypi.simple.v1+html";
    static final String NPM_ABBREVIATED = "application/vnd.npm.install-v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NPM_TARBALL = Pattern.compile("^/npm/((?:@[^/]+/)?[^/@][^/]*)/-/([^/]+\\.tgz)$");
    private static final Pattern NPM_VERSION = Pattern.compile("^/npm/((?:@[^/]+/)?[^/@][^/]*)/([^/-][^/]*)$");
    private static final Pattern NPM_PACKUMENT = Pattern.compile("^/npm/((?:@[^/]+/)?[^/@-][^/]*)$");
    private static final Pattern PYPI_PAGE = Pattern.compile("^/pypi/simple/([a-z0-9-]+)/$");
    static final DateTimeFormatter UPLOAD_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private final HttpServer server;
    private final ExecutorService executor;
    private final List<PythonFixtures.PyFile> pyFiles;
    private final List<NpmFixtures.NpmVersion> npmVersions;
    private final List<String> requests = new CopyOnWriteArrayList<>();

    /** {@code http://127.0.0.1}, or for the TLS variant {@code https://<the name in its certificate>}. */
    private final String origin;

    private FakeRegistry(HttpServer server, ExecutorService executor, List<PythonFixtures.PyFile> pyFiles,
                         List<NpmFixtures.NpmVersion> npmVersions, String origin) {
        this.origin = origin;
        this.server = server;
        this.executor = executor;
        this.pyFiles = pyFiles;
        this.npmVersions = npmVersions;
    }

    static FakeRegistry start() throws IOException {
        return start(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64), "http://127.0.0.1");
    }

    /**
     * The same registry over TLS, addressed as {@code https://<hostName>:<port>/}: the name its
     * certificate carries, which may resolve nowhere but in a test's proxy.
     */
    static FakeRegistry startHttps(javax.net.ssl.SSLContext tls, String hostName) throws IOException {
        com.sun.net.httpserver.HttpsServer server = com.sun.net.httpserver.HttpsServer.create(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(tls));
        return start(server, "https://" + hostName);
    }

    private static FakeRegistry start(HttpServer server, String origin) {
        ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "fake-registry");
            t.setDaemon(true);
            return t;
        });
        FakeRegistry registry = new FakeRegistry(server, executor, PythonFixtures.files(), NpmFixtures.versions(), origin);
        server.createContext("/", registry::handle);
        server.setExecutor(executor);
        server.start();
        return registry;
    }

    String base() {
        return origin + ":" + server.getAddress().getPort() + "/";
    }

    String pypiSimple() {
        return base() + "pypi/simple/";
    }

    String npmBase() {
        return base() + "npm/";
    }

    List<PythonFixtures.PyFile> pyFiles() {
        return pyFiles;
    }

    List<NpmFixtures.NpmVersion> npmVersions() {
        return npmVersions;
    }

    NpmFixtures.NpmVersion npm(String name, String version) {
        return npmVersions.stream().filter(v -> v.name().equals(name) && v.version().equals(version))
                .findFirst().orElseThrow();
    }

    PythonFixtures.PyFile pyFile(String filename) {
        return pyFiles.stream().filter(f -> f.filename().equals(filename)).findFirst().orElseThrow();
    }

    /** How many requests whose "METHOD raw-path" ends with the suffix reached this upstream. */
    long requestsEndingWith(String suffix) {
        return requests.stream().filter(r -> r.endsWith(suffix)).count();
    }

    List<String> requests() {
        return List.copyOf(requests);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getRawPath();
        requests.add(ex.getRequestMethod() + " " + path);
        try (ex) {
            route(ex, path);
        } catch (RuntimeException e) {
            send(ex, 500, "application/json", json(Map.of("error", String.valueOf(e))), null);
        }
    }

    private void route(HttpExchange ex, String path) throws IOException {
        String accept = Optional.ofNullable(ex.getRequestHeaders().getFirst("Accept")).orElse("*/*");
        if (ex.getRequestMethod().equals("POST") && path.equals("/npm/-/npm/v1/security/advisories/bulk")) {
            bulkAdvisories(ex);
            return;
        }
        if (!ex.getRequestMethod().equals("GET") && !ex.getRequestMethod().equals("HEAD")) {
            send(ex, 405, "application/json", json(Map.of("error", "method not allowed")), null);
            return;
        }
        Matcher m;
        if (path.equals("/pypi/simple/")) {
            sendMetadata(ex, "text/html", rootIndex());
        } else if ((m = PYPI_PAGE.matcher(path)).matches() && m.group(1).equals(PythonFixtures.PROJECT)) {
            if (prefersJson(accept)) {
                sendMetadata(ex, PYPI_JSON, projectJson());
            } else {
                sendMetadata(ex, PYPI_HTML, projectHtml());
            }
        } else if (path.equals("/pypi/" + PythonFixtures.PROJECT + "/json")) {
            sendMetadata(ex, "application/json", jsonApi());
        } else if (path.startsWith("/files/")) {
            file(ex, path);
        } else if (path.equals("/npm/-/npm/v1/keys")) {
            sendMetadata(ex, "application/json", RegistrySigningKey.keysDocument());
        } else if (path.startsWith("/npm/-/npm/v1/attestations/")) {
            attestations(ex, decodeScope(path.substring("/npm/-/npm/v1/attestations/".length())));
        } else if (path.equals("/npm/-/ping")) {
            sendMetadata(ex, "application/json", "{}".getBytes(StandardCharsets.UTF_8));
        } else if ((m = NPM_TARBALL.matcher(decodeScope(path))).matches()) {
            String name = m.group(1);
            String file = m.group(2);
            Optional<NpmFixtures.NpmVersion> v = npmVersions.stream()
                    .filter(x -> x.name().equals(name) && x.fileName().equals(file)).findFirst();
            if (v.isPresent()) {
                send(ex, 200, "application/octet-stream", v.get().served(), "public, max-age=31536000, immutable");
            } else {
                notFound(ex);
            }
        } else if ((m = NPM_PACKUMENT.matcher(decodeScope(path))).matches() && knownNpm(m.group(1))) {
            boolean abbreviated = accept.contains(NPM_ABBREVIATED);
            ObjectNode doc = NpmFixtures.packument(m.group(1), npmVersions, npmBase(), abbreviated);
            sendMetadata(ex, abbreviated ? NPM_ABBREVIATED + "; charset=utf-8" : "application/json; charset=utf-8",
                    JSON.writeValueAsBytes(doc));
        } else if ((m = NPM_VERSION.matcher(decodeScope(path))).matches() && knownNpm(m.group(1))) {
            ObjectNode doc = NpmFixtures.packument(m.group(1), npmVersions, npmBase(), false);
            String version = m.group(2).equals("latest") ? doc.path("dist-tags").path("latest").asText() : m.group(2);
            if (doc.path("versions").has(version)) {
                sendMetadata(ex, "application/json; charset=utf-8", JSON.writeValueAsBytes(doc.path("versions").path(version)));
            } else {
                notFound(ex);
            }
        } else {
            notFound(ex);
        }
    }

    private boolean knownNpm(String name) {
        return npmVersions.stream().anyMatch(v -> v.name().equals(name));
    }

    /** npm asks for {@code @scope%2fname}; the registry treats it like {@code @scope/name}. */
    private static String decodeScope(String rawPath) {
        return rawPath.replace("%2f", "/").replace("%2F", "/").replace("%40", "@");
    }

    /** Chooses JSON when it has a higher q-value than any HTML type, as PEP 691 servers do. */
    static boolean prefersJson(String accept) {
        double json = 0;
        double html = 0;
        for (String part : accept.split(",")) {
            String[] pieces = part.trim().split(";");
            String type = pieces[0].trim().toLowerCase(Locale.ROOT);
            double q = 1.0;
            for (int i = 1; i < pieces.length; i++) {
                String p = pieces[i].trim();
                if (p.startsWith("q=")) {
                    q = Double.parseDouble(p.substring(2));
                }
            }
            if (type.equals(PYPI_JSON)) {
                json = Math.max(json, q);
            } else if (type.equals(PYPI_HTML) || type.equals("text/html") || type.equals("*/*")) {
                html = Math.max(html, q);
            }
        }
        return json > html;
    }

    private void file(HttpExchange ex, String path) throws IOException {
        for (PythonFixtures.PyFile f : pyFiles) {
            if (path.equals(f.path())) {
                send(ex, 200, "application/octet-stream", f.bytes(), "public, max-age=31536000, immutable");
                return;
            }
            if (f.coreMetadata() != null && path.equals(f.path() + ".metadata")) {
                send(ex, 200, "application/octet-stream", f.coreMetadata(), "public, max-age=31536000, immutable");
                return;
            }
        }
        notFound(ex);
    }

    /** A stand-in attestation document (npm's shape) for every known version; its bytes only need to arrive unchanged. */
    static byte[] attestationsOf(String spec) {
        return ("{\"attestations\":[{\"predicateType\":\"https://slsa.dev/provenance/v1\",\"bundle\":{\"for\":\""
                + spec + "\"}}]}").getBytes(StandardCharsets.UTF_8);
    }

    private void attestations(HttpExchange ex, String spec) throws IOException {
        int at = spec.lastIndexOf('@');
        if (at > 0 && npmVersions.stream().anyMatch(v -> v.name().equals(spec.substring(0, at)) && v.version().equals(spec.substring(at + 1)))) {
            sendMetadata(ex, "application/json", attestationsOf(spec));
        } else {
            notFound(ex);
        }
    }

    private void bulkAdvisories(HttpExchange ex) throws IOException {
        // npm gzips this request body (npm-registry-fetch's gzip option) and says so in Content-Encoding.
        java.io.InputStream in = ex.getRequestBody();
        if ("gzip".equalsIgnoreCase(ex.getRequestHeaders().getFirst("Content-Encoding"))) {
            in = new java.util.zip.GZIPInputStream(in);
        }
        Map<?, ?> body = JSON.readValue(in, Map.class);
        ObjectNode answer = JSON.createObjectNode();
        if (body.containsKey(NpmFixtures.PLAIN)) {
            ObjectNode advisory = answer.putArray(NpmFixtures.PLAIN).addObject();
            advisory.put("id", 4242);
            advisory.put("url", base() + "advisories/4242");
            advisory.put("title", "Fixture advisory for the e2e tests");
            advisory.put("severity", "moderate");
            advisory.put("vulnerable_versions", "<1.1.0");
            advisory.putArray("cwe").add("CWE-0");
        }
        send(ex, 200, "application/json", JSON.writeValueAsBytes(answer), null);
    }

    private byte[] rootIndex() {
        return ("<!DOCTYPE html>\n<html><head><meta name=\"pypi:repository-version\" content=\"1.1\">"
                + "<title>Simple index</title></head><body>\n"
                + "<a href=\"/pypi/simple/" + PythonFixtures.PROJECT + "/\">" + PythonFixtures.PROJECT + "</a>\n"
                + "</body></html>\n").getBytes(StandardCharsets.UTF_8);
    }

    String fileUrl(PythonFixtures.PyFile f) {
        return base() + f.path().substring(1);
    }

    private byte[] projectHtml() {
        StringBuilder html = new StringBuilder("<!DOCTYPE html>\n<html><head>"
                + "<meta name=\"pypi:repository-version\" content=\"1.1\">"
                + "<title>Links for " + PythonFixtures.PROJECT + "</title></head><body>\n"
                + "<h1>Links for " + PythonFixtures.PROJECT + "</h1>\n");
        for (PythonFixtures.PyFile f : pyFiles) {
            html.append("<a href=\"").append(fileUrl(f)).append("#sha256=").append(f.sha256()).append('"')
                    .append(" data-requires-python=\"").append(PythonFixtures.REQUIRES_PYTHON.replace(">", "&gt;")).append('"');
            if (f.coreMetadata() != null) {
                String md = "sha256=" + Digests.sha256Hex(f.coreMetadata());
                html.append(" data-dist-info-metadata=\"").append(md).append('"')
                        .append(" data-core-metadata=\"").append(md).append('"');
            }
            html.append('>').append(f.filename()).append("</a><br/>\n");
        }
        return html.append("</body></html>\n").toString().getBytes(StandardCharsets.UTF_8);
    }

    private byte[] projectJson() throws IOException {
        ObjectNode doc = JSON.createObjectNode();
        doc.putObject("meta").put("api-version", "1.1").put("_last-serial", 4711);
        doc.put("name", PythonFixtures.PROJECT);
        ArrayNode files = doc.putArray("files");
        for (PythonFixtures.PyFile f : pyFiles) {
            ObjectNode o = files.addObject();
            o.put("filename", f.filename());
            o.put("url", fileUrl(f));
            o.putObject("hashes").put("sha256", f.sha256());
            o.put("requires-python", PythonFixtures.REQUIRES_PYTHON);
            if (f.coreMetadata() != null) {
                String md = Digests.sha256Hex(f.coreMetadata());
                o.putObject("core-metadata").put("sha256", md);
                o.putObject("dist-info-metadata").put("sha256", md);
            } else {
                o.put("core-metadata", false);
            }
            o.put("size", f.bytes().length);
            o.put("upload-time", UPLOAD_TIME.format(f.uploadTime()));
            o.put("yanked", false);
            o.put("provenance", (String) null);
        }
        ArrayNode versions = doc.putArray("versions");
        pyFiles.stream().map(PythonFixtures.PyFile::version).distinct().forEach(versions::add);
        return JSON.writeValueAsBytes(doc);
    }

    private byte[] jsonApi() throws IOException {
        ObjectNode doc = JSON.createObjectNode();
        String latest = pyFiles.get(pyFiles.size() - 1).version();
        ObjectNode info = doc.putObject("info");
        info.put("name", PythonFixtures.PROJECT);
        info.put("version", latest);
        info.put("requires_python", PythonFixtures.REQUIRES_PYTHON);
        info.put("summary", "Airlock end-to-end test fixture");
        ObjectNode releases = doc.putObject("releases");
        Map<String, List<PythonFixtures.PyFile>> byVersion = pyFiles.stream()
                .collect(Collectors.groupingBy(PythonFixtures.PyFile::version, java.util.LinkedHashMap::new,
                        Collectors.toList()));
        byVersion.forEach((version, files) -> {
            ArrayNode list = releases.putArray(version);
            files.forEach(f -> list.add(jsonApiFile(f)));
        });
        ArrayNode urls = doc.putArray("urls");
        byVersion.get(latest).forEach(f -> urls.add(jsonApiFile(f)));
        doc.put("last_serial", 4711);
        return JSON.writeValueAsBytes(doc);
    }

    private ObjectNode jsonApiFile(PythonFixtures.PyFile f) {
        ObjectNode o = JSON.createObjectNode();
        o.put("filename", f.filename());
        o.put("url", fileUrl(f));
        o.putObject("digests").put("sha256", f.sha256());
        o.put("packagetype", f.isWheel() ? "bdist_wheel" : "sdist");
        o.put("size", f.bytes().length);
        o.put("upload_time_iso_8601", UPLOAD_TIME.format(f.uploadTime()));
        o.put("requires_python", PythonFixtures.REQUIRES_PYTHON);
        o.put("yanked", false);
        o.putNull("yanked_reason");
        return o;
    }

    private void sendMetadata(HttpExchange ex, String type, byte[] body) throws IOException {
        String etag = "\"" + Digests.sha256Hex(body).substring(0, 20) + "\"";
        ex.getResponseHeaders().set("ETag", etag);
        ex.getResponseHeaders().set("Vary", "Accept, Accept-Encoding");
        if (etag.equals(ex.getRequestHeaders().getFirst("If-None-Match"))) {
            ex.getResponseHeaders().set("Cache-Control", "max-age=300");
            ex.sendResponseHeaders(304, -1);
            return;
        }
        send(ex, 200, type, body, "max-age=300");
    }

    private void notFound(HttpExchange ex) throws IOException {
        send(ex, 404, "application/json", json(Map.of("error", "Not found")), null);
    }

    private static byte[] json(Object value) throws IOException {
        return JSON.writeValueAsBytes(value);
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body, String cacheControl)
            throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        if (cacheControl != null) {
            ex.getResponseHeaders().set("Cache-Control", cacheControl);
        }
        ex.getResponseHeaders().set("Last-Modified", DateTimeFormatter.RFC_1123_DATE_TIME
                .format(Instant.parse("2024-06-01T12:30:00Z").atZone(ZoneOffset.UTC)));
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }
}

package dev.airlock.proxy.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.analysis.AnalysisPriority;
import dev.airlock.analysis.AnalysisQueue;
import dev.airlock.analysis.AnalysisResult;
import dev.airlock.analysis.Finding;
import dev.airlock.analysis.Recommendation;
import dev.airlock.config.AirlockConfig;
import dev.airlock.config.PolicyConfig;
import dev.airlock.model.Ecosystem;
import dev.airlock.model.PackageCoordinate;
import dev.airlock.policy.DownloadContext;
import dev.airlock.policy.PolicyEngine;
import dev.airlock.proxy.http.AirlockChannelInitializer;
import dev.airlock.proxy.http.AirlockServer;
import dev.airlock.proxy.http.RequestRouter;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin API over real HTTP: the Netty server, the router and a real policy engine on a temporary data dir. */
class AdminApiTest {
    static final String TOKEN = "T-admin-secret";
    static final ObjectMapper JSON = new ObjectMapper();
    static final Instant MINUTES_AGO = Instant.now().minus(Duration.ofMinutes(5));
    static final Instant MONTHS_AGO = Instant.now().minus(Duration.ofDays(90));
    static final String MAL = """
            {"id":"MAL-2026-7","summary":"Malicious code in evil-pkg (npm)",
             "affected":[{"package":{"ecosystem":"npm","name":"evil-pkg"},"versions":["1.0.2"]}]}""";

    @TempDir
    Path dir;
    PolicyEngine engine;
    AdminApi api;
    AirlockServer server;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    final Map<PackageCoordinate, AnalysisResult> analyses = new java.util.concurrent.ConcurrentHashMap<>();

    static final class Queue implements AnalysisQueue {
        final List<PackageCoordinate> submitted = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile BiConsumer<PackageCoordinate, AnalysisResult> listener;

        @Override
        public void submit(PackageCoordinate c, AnalysisPriority p) {
            submitted.add(c);
        }

        @Override
        public int depth() {
            return submitted.size();
        }

        @Override
        public void onResult(BiConsumer<PackageCoordinate, AnalysisResult> l) {
            listener = l;
        }
    }

    final Queue queue = new Queue();

    @BeforeEach
    void start() throws Exception {
        PolicyConfig policy = new PolicyConfig(null, null, Duration.ofMillis(200), null,
                new PolicyConfig.Internal(List.of("@acme"), null), null, null, null, null);
        AirlockConfig cfg = new AirlockConfig(0, "127.0.0.1", dir, null, null, null, null, TOKEN, null, null, policy, null, null);
        engine = PolicyEngine.open(cfg, queue, null);
        api = new AdminApi(engine.admin(), engine.token(), c -> Optional.ofNullable(analyses.get(c)),
                () -> Map.of("cacheEntries", 3));
        server = AirlockServer.bind("127.0.0.1", 0,
                new AirlockChannelInitializer(new RequestRouter(List.of(api), List.of()), 16 * 1024 * 1024));
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (api != null) {
            api.close();
        }
        if (engine != null) {
            engine.close();
        }
    }

    record Answer(int status, JsonNode body, HttpResponse<byte[]> raw) {
    }

    Answer call(String method, String path, String token, byte[] body, String contentType) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        JsonNode json = r.body().length == 0 ? null : JSON.readTree(r.body());
        return new Answer(r.statusCode(), json, r);
    }

    Answer get(String path) throws Exception {
        return call("GET", path, TOKEN, null, null);
    }

    Answer post(String path, String json) throws Exception {
        return call("POST", path, TOKEN, json.getBytes(StandardCharsets.UTF_8), "application/json");
    }

    static PackageCoordinate npm(String name, String version) {
        return PackageCoordinate.of(Ecosystem.NPM, name, version);
    }

    @Test
    void refusesRequestsWithoutTheRightTokenWith401AndAJsonError() throws Exception {
        engine.gate().listed(npm("left-pad", "1.3.1"), MINUTES_AGO);
        for (String token : new String[] {null, "wrong", TOKEN + "x"}) {
            Answer a = call("POST", "/api/v1/packages/npm/left-pad/1.3.1/override", token,
                    "{\"action\":\"allow\",\"reason\":\"x\"}".getBytes(StandardCharsets.UTF_8), "application/json");
            assertEquals(401, a.status(), "token " + token);
            assertTrue(a.body().get("error").asText().contains("admin token"));
            assertTrue(a.raw().headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
        }
        assertEquals("pending", get("/api/v1/packages/npm/left-pad/1.3.1").body().get("state").asText(),
                "a refused override must change nothing");
        assertEquals(0, get("/api/v1/audit").body().get("count").asInt());
    }

    @Test
    void anAllowOverrideReleasesAPendingVersionAndIsAudited() throws Exception {
        PackageCoordinate c = npm("left-pad", "1.3.1");
        assertTrue(!engine.gate().listed(c, MINUTES_AGO).serve());
        Answer before = get("/api/v1/packages/npm/left-pad/1.3.1");
        assertEquals(200, before.status());
        assertEquals("pending", before.body().get("state").asText());
        assertEquals("analysis_pending", before.body().get("reasons").get(0).get("code").asText());

        Answer a = post("/api/v1/packages/npm/left-pad/1.3.1/override", "{\"action\":\"allow\",\"reason\":\"reviewed by Ana\"}");
        assertEquals(200, a.status(), a.body().toString());
        assertEquals("allowed", a.body().get("state").asText());
        assertEquals("allow", a.body().get("override").get("action").asText());
        assertTrue(engine.gate().listed(c, MINUTES_AGO).serve());

        JsonNode audit = get("/api/v1/audit").body().get("entries");
        assertEquals(1, audit.size());
        JsonNode e = audit.get(0);
        assertEquals("override_allow", e.get("action").asText());
        assertEquals("npm:left-pad@1.3.1", e.get("target").asText());
        assertEquals("pending", e.get("previousState").asText());
        assertEquals("allowed", e.get("newState").asText());
        assertEquals("reviewed by Ana", e.get("reason").asText());
        assertEquals(engine.token().identity(), e.get("who").asText());
        assertEquals(0, get("/api/v1/audit?since=" + Instant.now().plusSeconds(60)).body().get("count").asInt());
    }

    @Test
    void aBlockOverrideOnAnOlderVersionCarriesItsReasonToDownloads() throws Exception {
        PackageCoordinate c = npm("left-pad", "1.0.0");
        assertTrue(engine.gate().listed(c, MONTHS_AGO).serve());
        Answer a = post("/api/v1/packages/npm/left-pad/1.0.0/override",
                "{\"action\":\"block\",\"reason\":\"R: compromised maintainer\",\"expires\":\"2099-01-01T00:00:00Z\"}");
        assertEquals(200, a.status());
        assertEquals("blocked", a.body().get("state").asText());
        var d = engine.gate().beforeDownload(c, MONTHS_AGO, new DownloadContext("127.0.0.1", "npm", "f.tgz"))
                .toCompletableFuture().get();
        assertTrue(!d.serve());
        assertTrue(d.message().contains("R: compromised maintainer"), d.message());
        assertEquals("2099-01-01T00:00:00Z", get("/api/v1/packages/npm/left-pad/1.0.0").body().get("override")
                .get("expires").asText());
        assertEquals(200, call("DELETE", "/api/v1/packages/npm/left-pad/1.0.0/override", TOKEN, null, null).status());
        assertTrue(engine.gate().listed(c, MONTHS_AGO).serve());
        assertEquals(404, call("DELETE", "/api/v1/packages/npm/left-pad/1.0.0/override", TOKEN, null, null).status());
        assertEquals(List.of("override_removed", "override_block"),
                JSON.convertValue(get("/api/v1/audit").body().findValuesAsText("action"), List.class),
                "the audit lists the newest line first");
    }

    @Test
    void theAuditListsNewOverridesFirstAfterAThousandAndPagesBackToTheOldest() throws Exception {
        for (int i = 1; i <= 1_100; i++) {
            engine.admin().override(npm("many", "1.0." + i), dev.airlock.policy.OverrideAction.ALLOW, "r" + i, null, "t");
        }
        JsonNode first = get("/api/v1/audit").body();
        assertEquals(1000, first.get("count").asInt());
        assertEquals("npm:many@1.0.1100", first.get("entries").get(0).get("target").asText());
        long next = first.get("next").asLong();
        assertEquals(first.get("entries").get(999).get("seq").asLong(), next);

        JsonNode second = get("/api/v1/audit?before=" + next).body();
        assertEquals(100, second.get("count").asInt());
        assertEquals("npm:many@1.0.1", second.get("entries").get(99).get("target").asText());
        assertTrue(second.get("next").isNull(), "the oldest page has no next");

        JsonNode old = get("/api/v1/audit?target=npm:many@1.0.7").body();
        assertEquals(1, old.get("count").asInt(), "a target filter reaches a line older than the first page");
        assertEquals("r7", old.get("entries").get(0).get("reason").asText());
        JsonNode pkg = get("/api/v1/audit?target=npm:many&actor=t&action=override_allow&limit=3").body();
        assertEquals(List.of("npm:many@1.0.1100", "npm:many@1.0.1099", "npm:many@1.0.1098"),
                JSON.convertValue(pkg.findValuesAsText("target"), List.class));
        assertEquals(0, get("/api/v1/audit?actor=someone-else").body().get("count").asInt());
        assertEquals(400, get("/api/v1/audit?before=soon").status());
        assertEquals(400, get("/api/v1/audit?until=later").status());
    }

    @Test
    void answersBadRequestsWithClearJsonErrors() throws Exception {
        engine.gate().listed(npm("left-pad", "1.3.1"), MINUTES_AGO);
        String path = "/api/v1/packages/npm/left-pad/1.3.1/override";
        Answer noReason = post(path, "{\"action\":\"allow\"}");
        assertEquals(400, noReason.status());
        assertTrue(noReason.body().get("error").asText().contains("reason is required"));
        assertEquals(400, post(path, "{\"action\":\"allow\",\"reason\":\"   \"}").status());
        assertTrue(post(path, "{\"action\":\"maybe\",\"reason\":\"x\"}").body().get("error").asText().contains("allow"));
        assertTrue(post(path, "not json").body().get("error").asText().contains("not valid JSON"));
        assertTrue(post(path, "{\"action\":\"allow\",\"reason\":\"x\",\"expires\":\"tomorrow\"}").body().get("error")
                .asText().contains("ISO-8601"));
        assertEquals(400, post(path, "{\"action\":\"allow\",\"reason\":\"x\",\"expires\":\"2001-01-01T00:00:00Z\"}").status());
        assertEquals(400, get("/api/v1/versions?state=sleepy").status());
        assertEquals(400, get("/api/v1/packages/cargo/serde").status());
        assertEquals(400, get("/api/v1/packages/npm/Not%20Valid!").status());
        assertEquals(400, get("/api/v1/audit?since=yesterday").status());
        assertEquals(404, get("/api/v1/packages/npm/never-heard-of-it").status());
        assertEquals(404, get("/api/v1/packages/npm/left-pad/9.9.9").status());
        assertEquals(404, get("/api/v1/nothing-here").status());
        assertEquals(405, call("DELETE", "/api/v1/versions", TOKEN, null, null).status());
        assertTrue(get("/api/v1/nothing-here").body().has("error"));
    }

    @Test
    void acceptsScopedNamesEncodedOrWithALiteralSlash() throws Exception {
        PackageCoordinate c = npm("@acme/utils", "2.0.0");
        assertEquals("dependency_confusion", engine.gate().listed(c, MONTHS_AGO).code());
        Answer encoded = get("/api/v1/packages/npm/@acme%2futils/2.0.0");
        Answer literal = get("/api/v1/packages/npm/@acme/utils/2.0.0");
        assertEquals(200, encoded.status());
        assertEquals(200, literal.status());
        assertEquals("blocked", encoded.body().get("state").asText());
        assertTrue(encoded.body().get("reasons").get(0).get("message").asText().contains("dependency confusion"));
        assertEquals("@acme/utils", literal.body().get("name").asText());
        Answer pkg = get("/api/v1/packages/npm/%40acme%2Futils");
        assertEquals(1, pkg.body().get("versions").size());
        Answer allow = post("/api/v1/packages/npm/@acme%2futils/override", "{\"action\":\"allow\",\"reason\":\"ours, published on purpose\"}");
        assertEquals(200, allow.status());
        assertEquals("allowed", allow.body().get("versions").get(0).get("state").asText());
        assertTrue(engine.gate().listed(c, MONTHS_AGO).serve());
        assertEquals("package", get("/api/v1/packages/npm/@acme/utils/2.0.0").body().get("override").get("scope").asText());
    }

    @Test
    void listsVersionsByStateAndEcosystem() throws Exception {
        engine.gate().listed(npm("left-pad", "1.3.1"), MINUTES_AGO);
        engine.gate().listed(npm("left-pad", "1.0.0"), MONTHS_AGO);
        engine.gate().listed(PackageCoordinate.of(Ecosystem.PYPI, "requests", "2.99.0"), MINUTES_AGO);
        assertEquals(2, get("/api/v1/versions?state=pending").body().get("count").asInt());
        JsonNode npmPending = get("/api/v1/versions?state=pending&ecosystem=npm").body().get("versions");
        assertEquals(1, npmPending.size());
        assertEquals("1.3.1", npmPending.get(0).get("version").asText());
        assertEquals(3, get("/api/v1/versions").body().get("count").asInt());
        JsonNode pkg = get("/api/v1/packages/npm/left-pad").body();
        assertEquals(List.of("1.0.0", "1.3.1"), JSON.convertValue(pkg.get("versions").findValuesAsText("version"), List.class));
    }

    @Test
    void importsMalwareRecordsAsJsonOrZipAndTheVersionViewNamesTheRecord() throws Exception {
        Answer r = post("/api/v1/feeds/osv", MAL);
        assertEquals(200, r.status(), r.body().toString());
        assertEquals(1, r.body().get("imported").asInt());
        assertEquals(1, post("/api/v1/feeds/osv", MAL).body().get("unchanged").asInt(), "imports must be idempotent");
        Answer v = get("/api/v1/packages/npm/evil-pkg/1.0.2");
        assertEquals(200, v.status());
        assertEquals("blocked", v.body().get("state").asText());
        assertEquals("known_malware", v.body().get("reasons").get(0).get("code").asText());
        assertTrue(v.body().get("reasons").get(0).get("message").asText().contains("MAL-2026-7"));
        assertEquals("MAL-2026-7", v.body().get("feedRecord").get("id").asText());
        assertEquals(1, get("/api/v1/versions?state=blocked").body().get("count").asInt());

        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(zip)) {
            z.putNextEntry(new ZipEntry("osv/malicious/pypi/bad-thing/MAL-2026-8.json"));
            z.write("""
                    {"id":"MAL-2026-8","affected":[{"package":{"ecosystem":"PyPI","name":"bad_thing"},
                     "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"}]}]}]}""".getBytes(StandardCharsets.UTF_8));
            z.closeEntry();
        }
        Answer z = call("POST", "/api/v1/feeds/osv", TOKEN, zip.toByteArray(), "application/zip");
        assertEquals(1, z.body().get("imported").asInt());
        assertEquals("known_malware", engine.gate().listed(PackageCoordinate.of(Ecosystem.PYPI, "Bad.Thing", "0.1"), MONTHS_AGO).code());
        Answer bad = post("/api/v1/feeds/osv", "<html>");
        assertEquals(400, bad.status());
        assertTrue(bad.body().get("error").asText().contains("OSV"));
        assertEquals(400, call("POST", "/api/v1/feeds/osv", TOKEN, new byte[0], null).status());
    }

    @Test
    void showsWhoDownloadedAVersion() throws Exception {
        PackageCoordinate c = npm("left-pad", "1.0.0");
        engine.gate().listed(c, MONTHS_AGO);
        engine.gate().served(c, new DownloadContext("10.0.0.7", "npm/10.8.2 node/v20", "left-pad-1.0.0.tgz"));
        engine.gate().served(c, new DownloadContext("10.0.0.8", "pnpm/9", "left-pad-1.0.0.tgz"));
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        JsonNode d;
        do {
            d = get("/api/v1/packages/npm/left-pad/1.0.0/downloads").body();
        } while (d.get("count").asInt() < 2 && System.nanoTime() < deadline);
        assertEquals(2, d.get("count").asInt());
        assertEquals("10.0.0.7", d.get("downloads").get(0).get("clientAddress").asText());
        assertEquals("pnpm/9", d.get("downloads").get(1).get("userAgent").asText());
        assertEquals(404, get("/api/v1/packages/npm/left-pad/7.7.7/downloads").status());
    }

    @Test
    void theVersionViewIncludesTheAnalysisSummaryAndStatusCountsThings() throws Exception {
        PackageCoordinate c = npm("left-pad", "1.3.1");
        engine.gate().listed(c, MINUTES_AGO);
        AnalysisResult result = new AnalysisResult("npm", "left-pad", "1.3.1", "ab".repeat(32), Recommendation.SUSPICIOUS,
                List.of(new Finding("obfuscated_code", "high", "static", "long base64 blob evaluated", "eval(atob(...))",
                        "index.js:3")), null, 12, 0);
        analyses.put(c, result);
        queue.listener.accept(c, result);
        JsonNode v = get("/api/v1/packages/npm/left-pad/1.3.1").body();
        assertEquals("quarantined", v.get("state").asText());
        assertEquals("obfuscated_code", v.get("findings").get(0).get("rule").asText());
        assertEquals("quarantine", v.get("analysis").get("recommendation").asText());
        assertEquals("obfuscated_code", v.get("reasons").get(0).get("code").asText());
        JsonNode s = get("/api/v1/status").body();
        assertEquals("enforce", s.get("mode").asText());
        assertEquals(1, s.get("versions").get("quarantined").asInt());
        assertEquals(1, s.get("queueDepth").asInt());
        assertEquals(3, s.get("cacheEntries").asInt());
    }
}

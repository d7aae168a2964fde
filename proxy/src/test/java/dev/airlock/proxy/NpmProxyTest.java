package dev.airlock.proxy;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import dev.airlock.config.AirlockConfig;
import dev.airlock.config.ConfigLoader;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@org.junit.jupiter.api.Timeout(60)
class NpmProxyTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ABBREVIATED = "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*";
    @TempDir
    Path data;
    private WireMockServer upstream;
    private Airlock airlock;
    private final TestGate gate = new TestGate();
    private final HttpClient http = HttpClient.newHttpClient();
    private final byte[] v1 = Fixtures.tarball("left-pad", "1.0.0");
    private final byte[] v2 = Fixtures.tarball("left-pad", "1.1.0");

    @BeforeEach
    void start() throws Exception {
        upstream = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1").jettyAcceptors(1).containerThreads(8));
        upstream.start();
        String base = "http://127.0.0.1:" + upstream.port() + "/";
        upstream.stubFor(get("/left-pad").willReturn(aResponse().withHeader("Content-Type", "application/json")
                .withHeader("ETag", "\"up-1\"")
                .withBody(Fixtures.packument("left-pad", base, "1.1.0", new String[][]{
                        {"1.0.0", Fixtures.integrity(v1)}, {"1.1.0", Fixtures.integrity(v2)}}))));
        upstream.stubFor(get("/left-pad/-/left-pad-1.0.0.tgz").willReturn(aResponse().withBody(v1)));
        upstream.stubFor(get("/left-pad/-/left-pad-1.1.0.tgz").willReturn(aResponse().withBody(v2)));
        AirlockConfig config = ConfigLoader.load(new String[]{"--port", "0", "--bind", "127.0.0.1",
                "--data-dir", data.toString(), "--npm-upstream", base, "--pypi-upstream", base + "simple/",
                "--upstream.metadataTtl", "0s", "--upstream.retries", "1"}, Map.of()).config();
        airlock = Airlock.start(config, GateOnly.of(gate));
    }

    @AfterEach
    void stop() {
        airlock.close();
        upstream.stop();
    }

    private HttpResponse<byte[]> fetch(String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + airlock.port() + path));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private JsonNode json(HttpResponse<byte[]> r) throws IOException {
        return JSON.readTree(r.body());
    }

    @Test
    void rewritesEveryTarballToTheProxyAndKeepsIntegrity() throws Exception {
        JsonNode doc = json(fetch("/npm/left-pad"));
        String tarball = doc.path("versions").path("1.0.0").path("dist").path("tarball").asText();
        assertEquals("http://127.0.0.1:" + airlock.port() + "/npm/left-pad/-/left-pad-1.0.0.tgz", tarball);
        assertEquals(Fixtures.integrity(v1), doc.path("versions").path("1.0.0").path("dist").path("integrity").asText());
        assertEquals(Fixtures.integrity(v2), doc.path("versions").path("1.1.0").path("dist").path("integrity").asText());
    }

    @Test
    void servesAbbreviatedAndFullFormsWithDifferentEtagsAndVary() throws Exception {
        HttpResponse<byte[]> full = fetch("/npm/left-pad");
        HttpResponse<byte[]> abbrev = fetch("/npm/left-pad", "Accept", ABBREVIATED);
        assertTrue(abbrev.headers().firstValue("Content-Type").orElse("").startsWith("application/vnd.npm.install-v1+json"));
        assertFalse(json(abbrev).has("time"));
        assertFalse(json(abbrev).path("versions").path("1.0.0").has("readme"));
        assertTrue(json(full).has("time"));
        assertNotEquals(full.headers().firstValue("ETag"), abbrev.headers().firstValue("ETag"));
        assertEquals("Accept, Accept-Encoding", full.headers().firstValue("Vary").orElse(""));
        String etag = abbrev.headers().firstValue("ETag").orElseThrow();
        assertEquals(304, fetch("/npm/left-pad", "Accept", ABBREVIATED, "If-None-Match", etag).statusCode());
        assertEquals(200, fetch("/npm/left-pad", "If-None-Match", etag).statusCode());
    }

    @Test
    void hidesABlockedVersionFromVersionsAndTimeAndRepointsTags() throws Exception {
        gate.block("npm:left-pad@1.1.0", "blocked_admin", "Blocked by admin: bad release");
        HttpResponse<byte[]> r = fetch("/npm/left-pad");
        JsonNode doc = json(r);
        assertFalse(doc.path("versions").has("1.1.0"));
        assertFalse(doc.path("time").has("1.1.0"));
        assertTrue(doc.path("time").has("1.0.0"));
        assertEquals("1.0.0", doc.path("dist-tags").path("latest").asText());
        assertFalse(doc.path("dist-tags").has("next"), "a tag naming a hidden version is dropped");
        String notice = r.headers().firstValue("npm-notice").orElse("");
        assertTrue(notice.contains("1.1.0 (blocked_admin: Blocked by admin: bad release)"), notice);
        assertFalse(json(fetch("/npm/left-pad", "Accept", ABBREVIATED)).path("versions").has("1.1.0"));
    }

    @Test
    void answersABlockedTarballWith403ReasonPhraseJsonErrorAndHeader() throws Exception {
        gate.block("npm:left-pad@1.1.0", "blocked_admin", "Blocked by admin: bad release");
        HttpResponse<byte[]> r = fetch("/npm/left-pad/-/left-pad-1.1.0.tgz");
        assertEquals(403, r.statusCode());
        String error = json(r).path("error").asText();
        assertTrue(error.startsWith("Blocked by admin: bad release - details: http://127.0.0.1:" + airlock.port()
                + "/ui/#/package/npm/left-pad/1.1.0 (request "), error);
        assertTrue(r.headers().firstValue("X-Request-Id").isPresent());
        assertEquals("blocked_admin: Blocked by admin: bad release", r.headers().firstValue("X-Airlock-Reason").orElse(""));
        upstream.verify(0, getRequestedFor(urlEqualTo("/left-pad/-/left-pad-1.1.0.tgz")));
        assertEquals(403, fetch("/npm/left-pad/1.1.0").statusCode());
        assertEquals("1.0.0", json(fetch("/npm/left-pad/latest")).path("version").asText());
    }

    @Test
    void servesAnAllowedTarballByteForByteAndFromTheStoreAfterwards() throws Exception {
        HttpResponse<byte[]> r = fetch("/npm/left-pad/-/left-pad-1.0.0.tgz");
        assertEquals(200, r.statusCode());
        assertTrue(java.util.Arrays.equals(v1, r.body()));
        assertEquals("application/octet-stream", r.headers().firstValue("Content-Type").orElse(""));
        assertFalse(r.headers().firstValue("Content-Encoding").isPresent());
        assertEquals(200, fetch("/npm/left-pad/-/left-pad-1.0.0.tgz").statusCode());
        upstream.verify(1, getRequestedFor(urlEqualTo("/left-pad/-/left-pad-1.0.0.tgz")));
    }

    @Test
    void neverServesOrStoresATarballWhoseBytesDoNotMatchItsIntegrity() throws Exception {
        upstream.stubFor(get("/left-pad/-/left-pad-1.0.0.tgz").willReturn(aResponse().withBody(v2)));
        HttpResponse<byte[]> r = fetch("/npm/left-pad/-/left-pad-1.0.0.tgz");
        assertEquals(502, r.statusCode());
        assertTrue(json(r).path("error").asText().contains("Integrity check failed"));
        try (Stream<Path> files = Files.walk(data.resolve("artifacts").resolve("sha256"))) {
            assertEquals(0, files.filter(Files::isRegularFile).count());
        }
    }

    @Test
    void concurrentRequestsForAnUncachedTarballCauseOneUpstreamFetch() throws Exception {
        upstream.stubFor(get("/left-pad/-/left-pad-1.0.0.tgz").willReturn(aResponse().withBody(v1).withFixedDelay(300)));
        List<CompletableFuture<HttpResponse<byte[]>>> all = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            all.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + airlock.port()
                    + "/npm/left-pad/-/left-pad-1.0.0.tgz")).build(), HttpResponse.BodyHandlers.ofByteArray()));
        }
        for (CompletableFuture<HttpResponse<byte[]>> f : all) {
            assertEquals(200, f.get().statusCode());
        }
        upstream.verify(1, getRequestedFor(urlEqualTo("/left-pad/-/left-pad-1.0.0.tgz")));
    }

    @Test
    void servesTheLastGoodPackumentWhenTheUpstreamBreaks() throws Exception {
        assertEquals(200, fetch("/npm/left-pad").statusCode());
        upstream.stubFor(get("/left-pad").willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        HttpResponse<byte[]> r = fetch("/npm/left-pad");
        assertEquals(200, r.statusCode());
        assertTrue(json(r).path("versions").has("1.0.0"));
        // One good fetch, then a failed revalidation that was retried (the JDK client may also retry a reset GET once).
        assertTrue(upstream.findAll(getRequestedFor(urlEqualTo("/left-pad"))).size() >= 3);
    }

    @Test
    void retriesAnIdempotentGetOnceAfterA5xx() throws Exception {
        upstream.stubFor(get("/flaky").inScenario("flaky").whenScenarioStateIs(com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("ok"));
        upstream.stubFor(get("/flaky").inScenario("flaky").whenScenarioStateIs("ok")
                .willReturn(aResponse().withBody(Fixtures.packument("flaky", "http://x/", "1.0.0",
                        new String[][]{{"1.0.0", Fixtures.integrity(v1)}}))));
        assertEquals(200, fetch("/npm/flaky").statusCode());
        upstream.verify(2, getRequestedFor(urlEqualTo("/flaky")));
    }

    @Test
    void answersMalformedUpstreamMetadataWith502AndAClearReason() throws Exception {
        upstream.stubFor(get("/broken").willReturn(aResponse().withHeader("Content-Type", "application/json").withBody("{\"versions\": [1,2")));
        HttpResponse<byte[]> r = fetch("/npm/broken");
        assertEquals(502, r.statusCode());
        assertTrue(json(r).path("error").asText().contains("malformed upstream metadata"));
        upstream.stubFor(get("/worse").willReturn(aResponse().withBody("{\"versions\": \"all\"}")));
        assertEquals(502, fetch("/npm/worse").statusCode());
    }

    @Test
    void opensTheBreakerAfterRepeatedFailuresAndStopsCallingTheUpstream() throws Exception {
        upstream.stubFor(get(com.github.tomakehurst.wiremock.client.WireMock.urlMatching("/dead.*"))
                .willReturn(aResponse().withStatus(500)));
        for (int i = 0; i < 8; i++) {
            assertEquals(502, fetch("/npm/dead" + i).statusCode());
        }
        int calls = upstream.findAll(getRequestedFor(com.github.tomakehurst.wiremock.client.WireMock.urlMatching("/dead.*"))).size();
        HttpResponse<byte[]> r = fetch("/npm/dead-after");
        assertEquals(502, r.statusCode());
        assertTrue(json(r).path("error").asText().contains("circuit breaker is open"), json(r).toString());
        assertEquals(calls, upstream.findAll(getRequestedFor(com.github.tomakehurst.wiremock.client.WireMock.urlMatching("/dead.*"))).size());
    }

    @Test
    void acceptsScopedNamesEncodedOrNot() throws Exception {
        byte[] s = Fixtures.tarball("@acme/util", "2.0.0");
        String base = "http://127.0.0.1:" + upstream.port() + "/";
        upstream.stubFor(get("/@acme%2futil").willReturn(aResponse().withBody(Fixtures.packument("@acme/util", base, "2.0.0",
                new String[][]{{"2.0.0", Fixtures.integrity(s)}}))));
        upstream.stubFor(get("/@acme/util/-/util-2.0.0.tgz").willReturn(aResponse().withBody(s)));
        for (String p : List.of("/npm/@acme%2futil", "/npm/@acme%2Futil", "/npm/@acme/util")) {
            JsonNode doc = json(fetch(p));
            assertEquals("http://127.0.0.1:" + airlock.port() + "/npm/@acme/util/-/util-2.0.0.tgz",
                    doc.path("versions").path("2.0.0").path("dist").path("tarball").asText(), p);
        }
        assertEquals(200, fetch("/npm/@acme/util/-/util-2.0.0.tgz").statusCode());
        assertEquals(200, fetch("/npm/@acme%2futil/-/util-2.0.0.tgz").statusCode());
    }

    @Test
    void forwardsSearchAndKeysWithTheQueryString() throws Exception {
        upstream.stubFor(get("/-/v1/search?text=left&size=2").willReturn(aResponse()
                .withHeader("Content-Type", "application/json").withBody("{\"objects\":[],\"total\":0}")));
        upstream.stubFor(get("/-/npm/v1/keys").willReturn(aResponse().withBody("{\"keys\":[]}")));
        HttpResponse<byte[]> search = fetch("/npm/-/v1/search?text=left&size=2");
        assertEquals(200, search.statusCode());
        assertEquals(0, json(search).path("total").asInt(-1));
        assertTrue(json(fetch("/npm/-/npm/v1/keys")).path("keys").isArray());
        assertEquals(404, fetch("/npm/-/whoami").statusCode());
    }

    @Test
    void refusesEncodedTraversalAndInvalidNames() throws Exception {
        assertEquals(400, fetch("/npm/%2e%2e%2fetc%2fpasswd").statusCode());
        assertEquals(400, fetch("/npm/..%2F..%2Fsecret").statusCode());
        assertEquals(400, fetch("/npm/left-pad/-/..%2f..%2fx.tgz").statusCode());
        assertEquals(400, fetch("/npm/%00bad").statusCode());
        assertEquals(200, fetch("/npm/-/ping").statusCode());
        upstream.verify(0, getRequestedFor(com.github.tomakehurst.wiremock.client.WireMock.urlMatching(".*(etc|secret).*")));
    }
}

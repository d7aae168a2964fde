package dev.airlock.proxy;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.airlock.config.AirlockConfig;
import dev.airlock.config.ConfigLoader;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@org.junit.jupiter.api.Timeout(60)
class PypiProxyTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PIP_ACCEPT = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01";
    @TempDir
    Path data;
    private WireMockServer upstream;
    private Airlock airlock;
    private final TestGate gate = new TestGate();
    private final HttpClient http = HttpClient.newHttpClient();
    private final byte[] wheel = "PK fake wheel 1.0".getBytes(StandardCharsets.UTF_8);
    private final byte[] sdist = "fake sdist 1.1".getBytes(StandardCharsets.UTF_8);
    private final byte[] metadata = "Metadata-Version: 2.1\nName: demo-pkg\nVersion: 1.0\n".getBytes(StandardCharsets.UTF_8);
    private String filesBase;

    @BeforeEach
    void start() throws Exception {
        upstream = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1").jettyAcceptors(1).containerThreads(8));
        upstream.start();
        String base = "http://127.0.0.1:" + upstream.port() + "/";
        filesBase = base + "packages/ab/cd/";
        String page = "{\"meta\":{\"api-version\":\"1.1\",\"_private\":1},\"name\":\"demo-pkg\",\"versions\":[\"1.0\",\"1.1\"],\"files\":["
                + "{\"filename\":\"demo_pkg-1.0-py3-none-any.whl\",\"url\":\"" + filesBase + "demo_pkg-1.0-py3-none-any.whl\","
                + "\"hashes\":{\"sha256\":\"" + Fixtures.sha256(wheel) + "\"},\"requires-python\":\">=3.8\",\"size\":" + wheel.length
                + ",\"upload-time\":\"2020-01-01T00:00:00.000000Z\",\"core-metadata\":{\"sha256\":\"" + Fixtures.sha256(metadata)
                + "\"},\"yanked\":false,\"x-unknown\":\"kept\"},"
                + "{\"filename\":\"demo-pkg-1.1.tar.gz\",\"url\":\"../../packages/ab/cd/demo-pkg-1.1.tar.gz\","
                + "\"hashes\":{\"sha256\":\"" + Fixtures.sha256(sdist) + "\"},\"upload-time\":\"2021-01-01T00:00:00Z\",\"yanked\":\"bad build\"}]}";
        upstream.stubFor(get("/simple/demo-pkg/").willReturn(aResponse()
                .withHeader("Content-Type", "application/vnd.pypi.simple.v1+json").withBody(page)));
        upstream.stubFor(get("/packages/ab/cd/demo_pkg-1.0-py3-none-any.whl").willReturn(aResponse().withBody(wheel)));
        upstream.stubFor(get("/packages/ab/cd/demo_pkg-1.0-py3-none-any.whl.metadata").willReturn(aResponse().withBody(metadata)));
        upstream.stubFor(get("/packages/ab/cd/demo-pkg-1.1.tar.gz").willReturn(aResponse().withBody(sdist)));
        upstream.stubFor(get("/simple/html-only/").willReturn(aResponse().withHeader("Content-Type", "text/html")
                .withBody("<!DOCTYPE html><html><body><a href=\"../../packages/ab/cd/html_only-2.0-py3-none-any.whl#sha256="
                        + Fixtures.sha256(wheel) + "\" data-requires-python=\"&gt;=3.9\">html_only-2.0-py3-none-any.whl</a></body></html>")));
        AirlockConfig config = ConfigLoader.load(new String[]{"--port", "0", "--bind", "127.0.0.1",
                "--data-dir", data.toString(), "--pypi-upstream", base + "simple/", "--npm-upstream", base,
                "--upstream.metadataTtl", "0s"}, Map.of()).config();
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

    private String proxyFiles() {
        return "http://127.0.0.1:" + airlock.port() + "/pypi/files/demo-pkg/http/127.0.0.1:" + upstream.port() + "/packages/ab/cd/";
    }

    @Test
    void thePep691PageHasProxyFileUrlsAndKeepsUploadTimeAndUnknownKeys() throws Exception {
        HttpResponse<byte[]> r = fetch("/pypi/simple/demo-pkg/", "Accept", PIP_ACCEPT);
        assertEquals("application/vnd.pypi.simple.v1+json", r.headers().firstValue("Content-Type").orElse(""));
        JsonNode page = JSON.readTree(r.body());
        JsonNode whl = page.path("files").get(0);
        assertEquals(proxyFiles() + "demo_pkg-1.0-py3-none-any.whl", whl.path("url").asText());
        assertEquals("2020-01-01T00:00:00.000000Z", whl.path("upload-time").asText());
        assertEquals(">=3.8", whl.path("requires-python").asText());
        assertEquals("kept", whl.path("x-unknown").asText());
        assertEquals(wheel.length, whl.path("size").asInt());
        assertEquals("bad build", page.path("files").get(1).path("yanked").asText());
        assertEquals(proxyFiles() + "demo-pkg-1.1.tar.gz", page.path("files").get(1).path("url").asText());
    }

    @Test
    void theHtmlPageKeepsHashFragmentsAndEscapedAttributes() throws Exception {
        HttpResponse<byte[]> r = fetch("/pypi/simple/demo-pkg/");
        String html = new String(r.body(), StandardCharsets.UTF_8);
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        assertTrue(html.contains("href=\"" + proxyFiles() + "demo_pkg-1.0-py3-none-any.whl#sha256=" + Fixtures.sha256(wheel) + "\""), html);
        assertTrue(html.contains("data-requires-python=\"&gt;=3.8\""), html);
        assertTrue(html.contains("data-core-metadata=\"sha256=" + Fixtures.sha256(metadata) + "\""), html);
        assertTrue(html.contains("data-yanked=\"bad build\""), html);
        String htmlOnly = new String(fetch("/pypi/simple/html-only/").body(), StandardCharsets.UTF_8);
        assertTrue(htmlOnly.contains("data-requires-python=\"&gt;=3.9\""), htmlOnly);
    }

    @Test
    void fillsUploadTimesFromTheJsonApiWhenTheIndexIsPlainHtml() throws Exception {
        upstream.stubFor(get("/pypi/html-only/json").willReturn(aResponse().withHeader("Content-Type", "application/json")
                .withBody("{\"info\":{},\"releases\":{\"2.0\":[{\"filename\":\"html_only-2.0-py3-none-any.whl\","
                        + "\"upload_time_iso_8601\":\"2019-05-01T10:00:00.123456Z\"}]}}")));
        JsonNode page = JSON.readTree(fetch("/pypi/simple/html-only/", "Accept", PIP_ACCEPT).body());
        assertEquals("2019-05-01T10:00:00.123456Z", page.path("files").get(0).path("upload-time").asText());
        assertEquals(">=3.9", page.path("files").get(0).path("requires-python").asText());
    }

    @Test
    void htmlAndJsonRepresentationsHaveTheirOwnEtags() throws Exception {
        String a = fetch("/pypi/simple/demo-pkg/", "Accept", PIP_ACCEPT).headers().firstValue("ETag").orElseThrow();
        String b = fetch("/pypi/simple/demo-pkg/", "Accept", "text/html").headers().firstValue("ETag").orElseThrow();
        assertFalse(a.equals(b));
        assertEquals(304, fetch("/pypi/simple/demo-pkg/", "Accept", PIP_ACCEPT, "If-None-Match", a).statusCode());
    }

    @Test
    void redirectsNonNormalisedNames() throws Exception {
        HttpResponse<byte[]> r = fetch("/pypi/simple/Demo_Pkg/");
        assertEquals(301, r.statusCode());
        assertEquals("/pypi/simple/demo-pkg/", r.headers().firstValue("Location").orElse(""));
        assertEquals("/pypi/simple/demo-pkg/", fetch("/pypi/simple/demo-pkg").headers().firstValue("Location").orElse(""));
    }

    @Test
    void servesFilesAndPep658MetadataAtTheRewrittenUrls() throws Exception {
        String path = URI.create(proxyFiles()).getPath();
        HttpResponse<byte[]> w = fetch(path + "demo_pkg-1.0-py3-none-any.whl");
        assertEquals(200, w.statusCode());
        assertTrue(java.util.Arrays.equals(wheel, w.body()));
        HttpResponse<byte[]> m = fetch(path + "demo_pkg-1.0-py3-none-any.whl.metadata");
        assertEquals(200, m.statusCode());
        assertTrue(java.util.Arrays.equals(metadata, m.body()));
        assertEquals(200, fetch(path + "demo-pkg-1.1.tar.gz").statusCode());
    }

    @Test
    void removesTheFilesOfABlockedVersionAndAnswers403WithTheReasonPhrase() throws Exception {
        gate.block("pypi:demo-pkg@1.1", "known_malware", "Blocked: known malware MAL-2024-1");
        JsonNode page = JSON.readTree(fetch("/pypi/simple/demo-pkg/", "Accept", PIP_ACCEPT).body());
        assertEquals(1, page.path("files").size());
        assertEquals("[\"1.0\"]", page.path("versions").toString());
        assertFalse(new String(fetch("/pypi/simple/demo-pkg/").body(), StandardCharsets.UTF_8).contains("1.1.tar.gz"));
        HttpResponse<byte[]> r = fetch(URI.create(proxyFiles()).getPath() + "demo-pkg-1.1.tar.gz");
        assertEquals(403, r.statusCode());
        assertTrue(r.headers().firstValue("X-Airlock-Reason").orElse("").startsWith("known_malware"));
        upstream.verify(0, getRequestedFor(urlEqualTo("/packages/ab/cd/demo-pkg-1.1.tar.gz")));
    }

    @Test
    void refusesFileHostsThatAreNotConfiguredSoItIsNoOpenRelay() throws Exception {
        HttpResponse<byte[]> r = fetch("/pypi/files/demo-pkg/https/example.com/packages/demo_pkg-1.0-py3-none-any.whl");
        assertEquals(403, r.statusCode());
        assertEquals(400, fetch("/pypi/files/demo-pkg/http/127.0.0.1:" + upstream.port() + "/packages/%2e%2e/secret").statusCode());
        assertEquals(404, fetch("/pypi/files/demo-pkg/http/127.0.0.1:" + upstream.port() + "/other/demo_pkg-1.0-py3-none-any.whl").statusCode());
        upstream.verify(0, getRequestedFor(urlMatching("/other/.*")));
    }

    @Test
    void aFileWhoseBytesDoNotMatchItsSha256IsRefusedWith502() throws Exception {
        upstream.stubFor(get("/packages/ab/cd/demo-pkg-1.1.tar.gz").willReturn(aResponse().withBody("tampered")));
        HttpResponse<byte[]> r = fetch(URI.create(proxyFiles()).getPath() + "demo-pkg-1.1.tar.gz");
        assertEquals(502, r.statusCode());
        assertTrue(r.headers().firstValue("X-Airlock-Reason").orElse("").startsWith("integrity_mismatch"));
    }
}

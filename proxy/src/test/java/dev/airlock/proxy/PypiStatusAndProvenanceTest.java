package dev.airlock.proxy;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
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

/** PEP 792 project status, PEP 740 provenance and PEP 714 core-metadata names through Airlock. */
@org.junit.jupiter.api.Timeout(60)
class PypiStatusAndProvenanceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PIP_ACCEPT = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01";
    private static final String PROVENANCE = "{\"version\":1,\"attestation_bundles\":[]}";
    @TempDir
    Path data;
    private WireMockServer upstream;
    private Airlock airlock;
    private final TestGate gate = new TestGate();
    private final HttpClient http = HttpClient.newHttpClient();
    private final byte[] wheel = "PK fake wheel 1.0".getBytes(StandardCharsets.UTF_8);
    private final byte[] metadata = "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n".getBytes(StandardCharsets.UTF_8);

    @BeforeEach
    void start() throws Exception {
        upstream = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1").jettyAcceptors(1).containerThreads(8));
        upstream.start();
        String base = "http://127.0.0.1:" + upstream.port() + "/";
        page("demo", "", "\"provenance\":\"" + base + "integrity/demo/1.0/demo-1.0-py3-none-any.whl/provenance\",");
        page("old", "\"project-status\":{\"status\":\"archived\",\"reason\":\"see new\"},", "");
        page("bad", "\"project-status\":{\"status\":\"quarantined\",\"reason\":\"malware reported\"},", "");
        upstream.stubFor(get("/packages/demo-1.0-py3-none-any.whl").willReturn(aResponse().withBody(wheel)));
        upstream.stubFor(get("/integrity/demo/1.0/demo-1.0-py3-none-any.whl/provenance").willReturn(aResponse()
                .withHeader("Content-Type", "application/json").withBody(PROVENANCE)));
        AirlockConfig config = ConfigLoader.load(new String[]{"--port", "0", "--bind", "127.0.0.1",
                "--data-dir", data.toString(), "--pypi-upstream", base + "simple/", "--npm-upstream", base,
                "--upstream.metadataTtl", "0s"}, Map.of()).config();
        airlock = Airlock.start(config, GateOnly.of(gate));
    }

    /** A one-wheel project page named {@code <name>-1.0-py3-none-any.whl}, with extra top-level and file JSON. */
    private void page(String name, String top, String file) {
        String body = "{\"meta\":{\"api-version\":\"1.4\"},\"name\":\"" + name + "\"," + top + "\"files\":["
                + "{\"filename\":\"" + name + "-1.0-py3-none-any.whl\",\"url\":\"../../packages/" + name + "-1.0-py3-none-any.whl\","
                + "\"hashes\":{\"sha256\":\"" + Fixtures.sha256(wheel) + "\"}," + file
                + "\"core-metadata\":{\"sha256\":\"" + Fixtures.sha256(metadata) + "\"},"
                + "\"upload-time\":\"2020-01-01T00:00:00Z\"}]}";
        upstream.stubFor(get("/simple/" + name + "/").willReturn(aResponse()
                .withHeader("Content-Type", "application/vnd.pypi.simple.v1+json").withBody(body)));
    }

    @AfterEach
    void stop() {
        airlock.close();
        upstream.stop();
    }

    private HttpResponse<byte[]> fetch(String pathOrUrl, String... headers) throws IOException, InterruptedException {
        String url = pathOrUrl.startsWith("http") ? pathOrUrl : "http://127.0.0.1:" + airlock.port() + pathOrUrl;
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private String html(String project) throws Exception {
        return new String(fetch("/pypi/simple/" + project + "/").body(), StandardCharsets.UTF_8);
    }

    @Test
    void aProjectWhoseEveryVersionIsRefusedIsServedAsQuarantinedWithTheReason() throws Exception {
        gate.block("pypi:demo@1.0", "known_malware", "Blocked: known malware MAL-1");
        JsonNode page = JSON.readTree(fetch("/pypi/simple/demo/", "Accept", PIP_ACCEPT).body());
        assertEquals("1.4", page.path("meta").path("api-version").asText());
        assertEquals("quarantined", page.path("project-status").path("status").asText());
        assertTrue(page.path("project-status").path("reason").asText().contains("1.0 (known_malware: Blocked: known malware MAL-1)"),
                page.toString());
        assertEquals(0, page.path("files").size());
        String html = html("demo");
        assertTrue(html.contains("<meta name=\"pypi:repository-version\" content=\"1.4\">"), html);
        assertTrue(html.contains("<meta name=\"pypi:project-status\" content=\"quarantined\">"), html);
        assertTrue(html.contains("<meta name=\"pypi:project-status-reason\" content=\"Airlock refused every version of demo"), html);
    }

    @Test
    void aProjectWithAServedVersionCarriesNoStatusOfAirlocksOwn() throws Exception {
        JsonNode page = JSON.readTree(fetch("/pypi/simple/demo/", "Accept", PIP_ACCEPT).body());
        assertTrue(page.path("project-status").isMissingNode(), page.toString());
        assertFalse(html("demo").contains("pypi:project-status"));
    }

    @Test
    void anUpstreamStatusMarkerPassesThroughInBothForms() throws Exception {
        JsonNode page = JSON.readTree(fetch("/pypi/simple/old/", "Accept", PIP_ACCEPT).body());
        assertEquals("archived", page.path("project-status").path("status").asText());
        assertEquals("see new", page.path("project-status").path("reason").asText());
        assertEquals(1, page.path("files").size());
        String html = html("old");
        assertTrue(html.contains("<meta name=\"pypi:project-status\" content=\"archived\">"), html);
        assertTrue(html.contains("<meta name=\"pypi:project-status-reason\" content=\"see new\">"), html);
    }

    @Test
    void anUpstreamQuarantinedProjectOffersNoFilesAndItsDownloadsAreRefused() throws Exception {
        JsonNode page = JSON.readTree(fetch("/pypi/simple/bad/", "Accept", PIP_ACCEPT).body());
        assertEquals("quarantined", page.path("project-status").path("status").asText());
        assertEquals("malware reported", page.path("project-status").path("reason").asText());
        assertEquals(0, page.path("files").size());
        HttpResponse<byte[]> r = fetch("/pypi/files/bad/http/127.0.0.1:" + upstream.port() + "/packages/bad-1.0-py3-none-any.whl");
        assertEquals(403, r.statusCode());
        assertTrue(r.headers().firstValue("X-Airlock-Reason").orElse("").startsWith("upstream_quarantined: the upstream index quarantined bad: malware reported"),
                r.headers().map().toString());
        upstream.verify(0, getRequestedFor(urlEqualTo("/packages/bad-1.0-py3-none-any.whl")));
    }

    @Test
    void provenanceUrlsPointAtAirlockWhichRelaysTheUpstreamsDocument() throws Exception {
        JsonNode file = JSON.readTree(fetch("/pypi/simple/demo/", "Accept", PIP_ACCEPT).body()).path("files").get(0);
        String provenance = file.path("provenance").asText();
        assertEquals(file.path("url").asText() + ".provenance", provenance);
        assertTrue(provenance.startsWith("http://127.0.0.1:" + airlock.port() + "/pypi/files/demo/"), provenance);
        assertTrue(html("demo").contains("data-provenance=\"" + provenance + "\""));
        HttpResponse<byte[]> r = fetch(provenance);
        assertEquals(200, r.statusCode());
        assertEquals(PROVENANCE, new String(r.body(), StandardCharsets.UTF_8));
        gate.block("pypi:demo@1.0", "known_malware", "Blocked: known malware MAL-1");
        assertEquals(403, fetch(provenance).statusCode());
    }

    @Test
    void aFileWithoutProvenanceHasNoneOnAirlocksPageAndItsProvenanceIsNotFound() throws Exception {
        JsonNode file = JSON.readTree(fetch("/pypi/simple/old/", "Accept", PIP_ACCEPT).body()).path("files").get(0);
        assertFalse(file.has("provenance"));
        assertFalse(html("old").contains("data-provenance"));
        assertEquals(404, fetch(file.path("url").asText() + ".provenance").statusCode());
    }

    @Test
    void bothCoreMetadataNamesAreServedExactlyWhenTheMetadataFileIs() throws Exception {
        JsonNode file = JSON.readTree(fetch("/pypi/simple/demo/", "Accept", PIP_ACCEPT).body()).path("files").get(0);
        String sha = Fixtures.sha256(metadata);
        assertEquals(sha, file.path("core-metadata").path("sha256").asText());
        assertEquals(sha, file.path("dist-info-metadata").path("sha256").asText());
        assertFalse(file.has("data-dist-info-metadata"));
        String html = html("demo");
        assertTrue(html.contains("data-core-metadata=\"sha256=" + sha + "\" data-dist-info-metadata=\"sha256=" + sha + "\""), html);
    }
}

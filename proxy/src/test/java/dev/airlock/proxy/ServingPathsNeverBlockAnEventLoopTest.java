package dev.airlock.proxy;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.airlock.config.AirlockConfig;
import dev.airlock.config.ConfigLoader;
import dev.airlock.proxy.http.BlockingCallRecorder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole Airlock (real policy store, real analysis queue, admin API) in this JVM with BlockHound
 * watching its event loops: every serving path is asked, cold and warm and again after a restart
 * (when cached metadata comes from disk), and no blocking call may have run on an event loop.
 */
@Timeout(180)
class ServingPathsNeverBlockAnEventLoopTest {
    private static final String TOKEN = "blockhound-admin-token-0123456789";
    private static final String PIP_ACCEPT = "application/vnd.pypi.simple.v1+json, text/html;q=0.01";
    @TempDir
    Path data;
    private WireMockServer upstream;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final byte[] v1 = Fixtures.tarball("left-pad", "1.0.0");
    private final byte[] v2 = Fixtures.tarball("left-pad", "1.1.0");
    private final byte[] wheel = "PK fake wheel 1.0".getBytes(StandardCharsets.UTF_8);

    @BeforeEach
    void start() {
        upstream = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1").jettyAcceptors(1).containerThreads(8));
        upstream.start();
        String base = base();
        upstream.stubFor(get("/left-pad").willReturn(aResponse().withHeader("Content-Type", "application/json")
                .withHeader("ETag", "\"up-1\"")
                .withBody(Fixtures.packument("left-pad", base, "1.1.0", new String[][]{
                        {"1.0.0", Fixtures.integrity(v1)}, {"1.1.0", Fixtures.integrity(v2)}}))));
        upstream.stubFor(get("/left-pad/-/left-pad-1.0.0.tgz").willReturn(aResponse().withBody(v1)));
        upstream.stubFor(get("/left-pad/-/left-pad-1.1.0.tgz").willReturn(aResponse().withBody(v2)));
        upstream.stubFor(post("/-/npm/v1/security/advisories/bulk").willReturn(aResponse()
                .withHeader("Content-Type", "application/json").withBody("{}")));
        String page = "{\"meta\":{\"api-version\":\"1.1\"},\"name\":\"demo-pkg\",\"versions\":[\"1.0\"],\"files\":["
                + "{\"filename\":\"demo_pkg-1.0-py3-none-any.whl\",\"url\":\"" + base + "packages/demo_pkg-1.0-py3-none-any.whl\","
                + "\"hashes\":{\"sha256\":\"" + Fixtures.sha256(wheel) + "\"},\"upload-time\":\"2020-01-01T00:00:00.000000Z\"}]}";
        upstream.stubFor(get("/simple/demo-pkg/").willReturn(aResponse()
                .withHeader("Content-Type", "application/vnd.pypi.simple.v1+json").withBody(page)));
        upstream.stubFor(get("/packages/demo_pkg-1.0-py3-none-any.whl").willReturn(aResponse().withBody(wheel)));
        BlockingCallRecorder.drain();
    }

    @AfterEach
    void stop() {
        upstream.stop();
    }

    private String base() {
        return "http://127.0.0.1:" + upstream.port() + "/";
    }

    private Airlock airlock() throws Exception {
        AirlockConfig config = ConfigLoader.load(new String[]{"--port", "0", "--bind", "127.0.0.1",
                "--data-dir", data.toString(), "--npm-upstream", base(), "--pypi-upstream", base() + "simple/",
                "--admin-token", TOKEN, "--upstream.retries", "1"}, Map.of()).config();
        return Airlock.start(config);
    }

    private int call(Airlock a, String method, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.port() + path))
                .timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** Every serving path once; the statuses each may give. */
    private void everyPath(Airlock a) throws Exception {
        String auth = "Bearer " + TOKEN;
        for (int round = 0; round < 2; round++) {
            assertEquals(200, call(a, "GET", "/npm/left-pad", null));
            assertEquals(200, call(a, "GET", "/npm/left-pad", null, "Accept", "application/vnd.npm.install-v1+json"));
            assertTrue(Set.of(200, 403).contains(call(a, "GET", "/npm/left-pad/-/left-pad-1.0.0.tgz", null)));
            assertEquals(404, call(a, "GET", "/npm/left-pad/-/left-pad-9.9.9.tgz", null));
            assertEquals(200, call(a, "GET", "/pypi/simple/demo-pkg/", null, "Accept", PIP_ACCEPT));
            assertEquals(200, call(a, "GET", "/pypi/simple/demo-pkg/", null, "Accept", "text/html"));
            assertTrue(Set.of(200, 403).contains(call(a, "GET", "/pypi/files/demo-pkg/http/127.0.0.1:" + upstream.port()
                    + "/packages/demo_pkg-1.0-py3-none-any.whl", null)));
            assertEquals(200, call(a, "POST", "/npm/-/npm/v1/security/advisories/bulk", "{\"left-pad\":[\"1.0.0\",\"1.1.0\"]}",
                    "Content-Type", "application/json"));
            assertEquals(200, call(a, "GET", "/metrics", null));
            assertEquals(200, call(a, "GET", "/healthz", null));
            assertEquals(200, call(a, "GET", "/ui/", null));
            assertEquals(401, call(a, "GET", "/api/v1/status", null));
            assertEquals(200, call(a, "GET", "/api/v1/status", null, "Authorization", auth));
            assertEquals(200, call(a, "GET", "/api/v1/versions", null, "Authorization", auth));
            assertEquals(200, call(a, "GET", "/api/v1/packages/npm/left-pad", null, "Authorization", auth));
            assertEquals(200, call(a, "POST", "/api/v1/packages/npm/left-pad/1.1.0/override",
                    "{\"action\":\"allow\",\"reason\":\"round " + round + "\"}", "Authorization", auth, "Content-Type", "application/json"));
            assertEquals(200, call(a, "GET", "/api/v1/audit", null, "Authorization", auth));
        }
    }

    @Test
    void noServingPathMakesABlockingCallOnAnEventLoopColdWarmOrAfterARestart() throws Exception {
        try (Airlock a = airlock()) {
            everyPath(a);
        }
        // Memory is empty now: cached metadata comes from the disk copy, the queue and store reopen.
        try (Airlock a = airlock()) {
            everyPath(a);
        }
        List<Throwable> seen = BlockingCallRecorder.drain();
        if (!seen.isEmpty()) {
            AssertionError e = new AssertionError(seen.size() + " blocking call(s) on an event loop; the first is the cause");
            e.initCause(seen.get(0));
            throw e;
        }
    }
}

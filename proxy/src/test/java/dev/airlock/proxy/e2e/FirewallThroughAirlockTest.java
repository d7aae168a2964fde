package dev.airlock.proxy.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.airlock.testing.Requirements;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 3's "done when", from outside: Airlock runs as its own JVM (so it can be killed with
 * SIGKILL) with full policy in front of local fake registries, and real npm and pip talk to it.
 */
@Timeout(600)
class FirewallThroughAirlockTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "e2e-admin-token-0123456789";
    @TempDir
    Path work;
    private WireMockServer npmUpstream;
    private FakeRegistry pypiUpstream;
    private Process airlock;
    private int port;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void upstreams() throws Exception {
        npmUpstream = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1").jettyAcceptors(1).containerThreads(8));
        npmUpstream.start();
        String base = "http://127.0.0.1:" + npmUpstream.port() + "/";
        Instant old = Instant.parse("2023-03-01T00:00:00Z");
        publish(base, "fw-fresh", List.of(version("fw-fresh", "1.0.0", old), version("fw-fresh", "1.1.0", Instant.now().minusSeconds(300))));
        publish(base, "fw-old", List.of(version("fw-old", "1.0.0", old), version("fw-old", "0.9.0", old.minusSeconds(86400))));
        publish(base, "@acme/internal-lib", List.of(version("@acme/internal-lib", "2.0.0", old)));
        publish(base, "fw-evil", List.of(version("fw-evil", "1.0.0", old)));
        pypiUpstream = FakeRegistry.start();
    }

    @AfterEach
    void stop() {
        if (airlock != null) {
            airlock.destroyForcibly();
        }
        npmUpstream.stop();
        pypiUpstream.close();
    }

    private static NpmFixtures.NpmVersion version(String name, String v, Instant time) {
        byte[] bytes = NpmFixtures.tarball(name, v, "module.exports = '" + v + "';\n");
        return new NpmFixtures.NpmVersion(name, v, bytes, bytes, time);
    }

    private void publish(String base, String name, List<NpmFixtures.NpmVersion> versions) {
        String path = "/" + (name.startsWith("@") ? name.replace("/", "%2f") : name);
        npmUpstream.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(path).willReturn(aResponse().withHeader("Content-Type", "application/json")
                .withBody(NpmFixtures.packument(name, versions, base, false).toString())));
        for (NpmFixtures.NpmVersion v : versions) {
            npmUpstream.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get("/" + v.tarballPath()).willReturn(aResponse().withBody(v.served())));
        }
    }

    private void startAirlock(Path data, Path yaml) throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), "dev.airlock.proxy.Main", "serve",
                "--config", yaml.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--data-dir", data.toString(), "--admin-token", TOKEN,
                "--npm-upstream", "http://127.0.0.1:" + npmUpstream.port() + "/",
                "--pypi-upstream", pypiUpstream.pypiSimple(), "--pypi-file-hosts", "127.0.0.1"));
        airlock = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("airlock.log").toFile())).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (fetch("/healthz").statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                Thread.sleep(250);
            }
        }
        throw new AssertionError("Airlock did not become healthy:\n" + Files.readString(work.resolve("airlock.log")));
    }

    private HttpResponse<String> fetch(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> api(String method, String path, String body, boolean withToken) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (withToken) {
            b.header("Authorization", "Bearer " + TOKEN);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void holdsNewVersionsAppliesOverridesAndRulesAndKeepsEveryDecisionAcrossAKill() throws Exception {
        Requirements.require(Clients.npm().isPresent(), "npm");
        Requirements.require(Clients.python().isPresent(), "python3 with venv");
        Path data = work.resolve("data");
        Path yaml = work.resolve("airlock.yaml");
        Files.writeString(yaml, "policy:\n  holdWait: 3s\n  internal:\n    npmScopes: ['@acme']\n");
        startAirlock(data, yaml);

        // A version published minutes ago is held: gone from the packument, latest re-pointed, tarball 403 pending.
        JsonNode fresh = JSON.readTree(fetch("/npm/fw-fresh").body());
        assertFalse(fresh.path("versions").has("1.1.0"), fresh.toString());
        assertEquals("1.0.0", fresh.path("dist-tags").path("latest").asText());
        HttpResponse<String> held = fetch("/npm/fw-fresh/-/fw-fresh-1.1.0.tgz");
        assertEquals(403, held.statusCode());
        assertTrue(JSON.readTree(held.body()).path("error").asText().toLowerCase().matches(".*(quarantin|pending).*"), held.body());

        // The override API needs the token.
        String allow = "{\"action\":\"allow\",\"reason\":\"reviewed by the security team\"}";
        assertEquals(401, api("POST", "/api/v1/packages/npm/fw-fresh/1.1.0/override", allow, false).statusCode());
        assertEquals(200, api("POST", "/api/v1/packages/npm/fw-fresh/1.1.0/override", allow, true).statusCode());
        assertTrue(JSON.readTree(fetch("/npm/fw-fresh").body()).path("versions").has("1.1.0"));
        NpmProject project = NpmProject.create(work.resolve("npm"));
        ClientProcess.Result installed = project.npm(registry(), "install", "fw-fresh@1.1.0");
        assertTrue(installed.succeeded(), installed::describe);

        // A block with a reason on an older version: npm fails and says why.
        String reason = "compromised maintainer account R-4711";
        assertEquals(200, api("POST", "/api/v1/packages/npm/fw-old/1.0.0/override",
                "{\"action\":\"block\",\"reason\":\"" + reason + "\"}", true).statusCode());
        ClientProcess.Result blocked = project.npm(registry(), "install", registry() + "fw-old/-/fw-old-1.0.0.tgz");
        assertFalse(blocked.succeeded());
        assertTrue(blocked.output().contains(reason), blocked::describe);

        // Blocking a PyPI version makes pip fall back to the previous one.
        assertEquals(200, api("POST", "/api/v1/packages/pypi/" + PythonFixtures.PROJECT + "/1.1.0/override",
                "{\"action\":\"block\",\"reason\":\"bad wheel\"}", true).statusCode());
        Venv venv = Venv.create(Clients.python().orElseThrow(), work.resolve("py"));
        ClientProcess.Result pip = venv.pipInstall("http://127.0.0.1:" + port + "/pypi/simple/", PythonFixtures.PROJECT);
        assertTrue(pip.succeeded(), pip::describe);
        venv.distInfo(PythonFixtures.MODULE, "1.0.0");

        // The audit log lists both npm overrides with their reasons.
        String audit = api("GET", "/api/v1/audit", null, true).body();
        assertTrue(audit.contains("reviewed by the security team") && audit.contains(reason), audit);

        // An internal scope from YAML is dependency confusion.
        HttpResponse<String> internal = fetch("/npm/@acme/internal-lib/-/internal-lib-2.0.0.tgz");
        assertEquals(403, internal.statusCode());
        assertTrue(internal.body().toLowerCase().matches(".*(internal|dependency.confusion).*"), internal.body());

        // An imported MAL record blocks its version, and the version view names it.
        String osv = "{\"id\":\"MAL-2099-4242\",\"summary\":\"Malicious code in fw-evil (npm)\",\"affected\":[{\"package\":"
                + "{\"ecosystem\":\"npm\",\"name\":\"fw-evil\"},\"versions\":[\"1.0.0\"]}]}";
        assertEquals(200, api("POST", "/api/v1/feeds/osv", osv, true).statusCode());
        assertEquals(403, fetch("/npm/fw-evil/-/fw-evil-1.0.0.tgz").statusCode());
        assertTrue(api("GET", "/api/v1/packages/npm/fw-evil/1.0.0", null, true).body().contains("MAL-2099-4242"));

        // kill -9, restart on the same data dir: every override and verdict is still there.
        String before = api("GET", "/api/v1/audit", null, true).body();
        airlock.destroyForcibly().waitFor();
        startAirlock(data, yaml);
        assertEquals(JSON.readTree(before).size(), JSON.readTree(api("GET", "/api/v1/audit", null, true).body()).size());
        assertTrue(JSON.readTree(fetch("/npm/fw-fresh").body()).path("versions").has("1.1.0"));
        assertEquals(403, fetch("/npm/fw-old/-/fw-old-1.0.0.tgz").statusCode());
        assertEquals(403, fetch("/npm/fw-evil/-/fw-evil-1.0.0.tgz").statusCode());
        assertTrue(api("GET", "/api/v1/packages/npm/fw-evil/1.0.0", null, true).body().contains("MAL-2099-4242"));
    }

    private String registry() {
        return "http://127.0.0.1:" + port + "/npm/";
    }
}

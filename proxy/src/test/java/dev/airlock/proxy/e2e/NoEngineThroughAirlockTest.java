package dev.airlock.proxy.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.airlock.testing.Requirements;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fail closed without a sandbox: Airlock started with {@code DOCKER_HOST} naming a socket where no
 * engine answers keeps a version published minutes ago hidden and refuses its tarball as
 * {@code sandbox_unavailable} for as long as that lasts; once an engine appears at that address,
 * the version is analysed in the sandbox and released.
 */
@Timeout(900)
class NoEngineThroughAirlockTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path work;

    @Test
    void aFreshVersionStaysRefusedWhileNoEngineAnswersAndIsReleasedOnceOneAppears() throws Exception {
        Requirements.require(Requirements.commandWorks("docker", "info"), "a Docker engine (.ci/setup-docker.sh)");
        Requirements.require(Files.exists(EngineRelay.engineSocket()), "the engine's unix socket " + EngineRelay.engineSocket());
        WireMockServer npm = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1").jettyAcceptors(1)
                .containerThreads(8));
        npm.start();
        Path socket = work.resolve("engine.sock");
        try {
            String base = "http://127.0.0.1:" + npm.port() + "/";
            byte[] old = NpmFixtures.tarball("ne-demo", "1.0.0", "module.exports = 'old';\n");
            byte[] fresh = NpmFixtures.tarball("ne-demo", "1.1.0", "module.exports = 'fresh';\n");
            List<NpmFixtures.NpmVersion> versions = List.of(
                    new NpmFixtures.NpmVersion("ne-demo", "1.0.0", old, old, Instant.parse("2024-01-01T00:00:00Z")),
                    new NpmFixtures.NpmVersion("ne-demo", "1.1.0", fresh, fresh, Instant.now().minusSeconds(120)));
            npm.stubFor(get("/ne-demo").willReturn(aResponse().withHeader("Content-Type", "application/json")
                    .withBody(NpmFixtures.packument("ne-demo", versions, base, false).toString())));
            for (NpmFixtures.NpmVersion v : versions) {
                npm.stubFor(get("/" + v.tarballPath()).willReturn(aResponse().withBody(v.served())));
            }
            try (AirlockProcess airlock = AirlockProcess.start(work, work.resolve("data"),
                    Map.of("DOCKER_HOST", "unix://" + socket), "--npm-upstream", base)) {
                String tarball = "/npm/ne-demo/-/ne-demo-1.1.0.tgz";
                long until = System.nanoTime() + Duration.ofSeconds(25).toNanos();
                int checks = 0;
                while (System.nanoTime() < until) {
                    JsonNode doc = JSON.readTree(airlock.get("/npm/ne-demo").body());
                    assertFalse(doc.path("versions").has("1.1.0"), "listed without its sandbox run: " + doc);
                    HttpResponse<String> r = airlock.get(tarball);
                    assertEquals(403, r.statusCode(), r.body());
                    assertTrue(r.headers().firstValue("X-Airlock-Reason").orElse("").startsWith("sandbox_unavailable"),
                            r.headers().map().toString());
                    assertTrue(JSON.readTree(r.body()).path("error").asText()
                            .startsWith("Quarantined: analysis pending (sandbox unavailable) - details: "), r.body());
                    checks++;
                    Thread.sleep(2_000);
                }
                assertTrue(checks >= 5, "checked " + checks + " times");
                JsonNode status = airlock.api("status");
                assertFalse(status.path("sandbox").path("available").asBoolean(), status.toString());
                assertTrue(status.path("sandbox").path("newVersions").asText().contains("pending"), status.toString());
                assertEquals(200, airlock.get("/npm/ne-demo/-/ne-demo-1.0.0.tgz").statusCode(),
                        "an old version is still served on its static check");

                try (EngineRelay relay = EngineRelay.start(socket, EngineRelay.engineSocket())) {
                    long released = System.nanoTime() + Duration.ofMinutes(8).toNanos();
                    int code = 0;
                    while (System.nanoTime() < released) {
                        code = airlock.get(tarball).statusCode();
                        if (code == 200) {
                            break;
                        }
                        Thread.sleep(2_000);
                    }
                    assertEquals(200, code, () -> "not released once an engine answered:\n" + RealPackagesThroughAirlockTest
                            .tail(airlock.log()));
                    JsonNode view = airlock.api("packages/npm/ne-demo/1.1.0");
                    assertEquals("full", view.path("analysisStage").asText(), view.toString());
                    assertTrue(view.path("analyses").get(0).path("sandbox").asBoolean(), view.toString());
                }
            }
        } finally {
            npm.stop();
        }
    }
}

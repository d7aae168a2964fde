package dev.airlock.proxy.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import dev.airlock.testing.PostgresServer;
import dev.airlock.testing.Requirements;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 14 from outside: three Airlock nodes ({@code serve}) and one {@code worker}, each its own
 * JVM on loopback, share one throw-away PostgreSQL ({@code --store.url}) and one local S3 server
 * ({@code --artifacts.url}), in front of local fake registries; real npm and pip install through
 * a round-robin balancer. A node is killed with {@code kill -9} in the middle of an analysis.
 */
@Timeout(900)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MultiNodeThroughAirlockTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant OLD = Instant.parse("2023-03-01T00:00:00Z");
    private static final String BUCKET = "airlock";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static Path work;
    private static PostgresServer pg;
    private static String storeUrl;
    private static String jdbcUrl;
    private static S3Server s3;
    private static WireMockServer npmUpstream;
    private static FakeRegistry pypiUpstream;
    private static final Map<String, AirlockProcess> nodes = new ConcurrentHashMap<>();
    private static final List<String> NODE_IDS = List.of("node-a", "node-b", "node-c", "worker-w");
    private static RoundRobinBalancer balancer;
    private static final Map<String, byte[]> tarballs = new ConcurrentHashMap<>();

    @BeforeAll
    static void cluster() throws Exception {
        Requirements.require(Requirements.commandWorks("docker", "info"), "a Docker engine (.ci/setup-docker.sh)");
        Requirements.require(Clients.npm().isPresent(), "npm");
        Requirements.require(Clients.python().isPresent(), "python3 with venv");
        Requirements.require(S3Server.available(), "the s3proxy jar in target/s3proxy (mvn process-test-resources)");
        PostgresServer.require();
        work = Files.createTempDirectory("airlock-multinode-");
        pg = PostgresServer.start();
        storeUrl = pg.newDatabase();
        jdbcUrl = "jdbc:" + storeUrl.replace("airlock@", "") + "?user=airlock";
        s3 = S3Server.start(work.resolve("s3"), BUCKET);
        npmUpstream = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1").jettyAcceptors(1)
                .containerThreads(16));
        npmUpstream.start();
        String base = "http://127.0.0.1:" + npmUpstream.port() + "/";
        Instant fresh = Instant.now().minusSeconds(300);
        publish(base, "mn-old-a", "1.0.0", OLD, "module.exports = 'a';\n", null);
        publish(base, "mn-old-b", "1.0.0", OLD, "module.exports = 'b';\n", null);
        publish(base, "mn-fresh", "1.0.0", fresh, "module.exports = 'fresh';\n", null);
        // Its install runs for a while in the sandbox: long enough to kill the node analysing it.
        publish(base, "mn-slow", "1.0.0", fresh, "module.exports = 'slow';\n", "sleep 25");
        pypiUpstream = FakeRegistry.start();

        Path yaml = work.resolve("airlock.yaml");
        Files.writeString(yaml, String.join("\n", "policy:", "  holdWait: 2s", "store:", "  leaseTimeout: 6s", ""));
        ExecutorService starts = Executors.newFixedThreadPool(NODE_IDS.size());
        List<Future<AirlockProcess>> started = new ArrayList<>();
        for (String id : NODE_IDS) {
            started.add(starts.submit(() -> startNode(id, yaml)));
        }
        for (int i = 0; i < NODE_IDS.size(); i++) {
            nodes.put(NODE_IDS.get(i), started.get(i).get());
        }
        starts.shutdown();
        balancer = RoundRobinBalancer.start(List.of(node("node-a").port(), node("node-b").port(), node("node-c").port()));
    }

    private static AirlockProcess startNode(String id, Path yaml) throws Exception {
        return AirlockProcess.start(id.startsWith("worker") ? "worker" : "serve", work, work.resolve("data-" + id), Map.of(),
                Duration.ofSeconds(300), "--config", yaml.toString(), "--store.url", storeUrl, "--store.node-id", id,
                "--artifacts.url", "s3://" + BUCKET + "/cluster", "--artifacts.endpoint", s3.endpoint(),
                "--artifacts.access-key", "test", "--artifacts.secret-key", "test-secret",
                "--npm-upstream", "http://127.0.0.1:" + npmUpstream.port() + "/",
                "--pypi-upstream", pypiUpstream.pypiSimple(), "--pypi-file-hosts", "127.0.0.1");
    }

    @AfterAll
    static void stop() throws Exception {
        if (balancer != null) {
            balancer.close();
        }
        for (AirlockProcess n : nodes.values()) {
            n.close();
        }
        if (npmUpstream != null) {
            npmUpstream.stop();
        }
        if (pypiUpstream != null) {
            pypiUpstream.close();
        }
        if (s3 != null) {
            s3.close();
        }
        if (pg != null) {
            pg.close();
        }
        if (work != null) {
            try (var paths = Files.walk(work)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static AirlockProcess node(String id) {
        return nodes.get(id);
    }

    private static void publish(String base, String name, String version, Instant time, String indexJs, String install) {
        TarGz tgz = new TarGz().add("package/index.js", indexJs);
        String scripts = install == null ? "" : ",\"scripts\":{\"install\":\"" + install + "\"}";
        tgz.add("package/package.json", "{\"name\":\"" + name + "\",\"version\":\"" + version
                + "\",\"main\":\"index.js\",\"license\":\"Apache-2.0\"" + scripts + "}");
        byte[] bytes = tgz.toBytes();
        tarballs.put(name, bytes);
        NpmFixtures.NpmVersion v = new NpmFixtures.NpmVersion(name, version, bytes, bytes, time);
        npmUpstream.stubFor(WireMock.get("/" + name).willReturn(aResponse().withHeader("Content-Type", "application/json")
                .withBody(NpmFixtures.packument(name, List.of(v), base, false).toString())));
        npmUpstream.stubFor(WireMock.get("/" + v.tarballPath()).willReturn(aResponse().withBody(bytes)));
    }

    // ---------------------------------------------------------------- helpers

    private static HttpResponse<byte[]> get(AirlockProcess n, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + n.port() + path))
                .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static HttpResponse<String> admin(AirlockProcess n, String method, String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + n.port() + "/api/v1/" + path))
                .timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + AirlockProcess.TOKEN)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Connection db() throws SQLException {
        return DriverManager.getConnection(jdbcUrl);
    }

    private static long count(String sql, String arg) throws SQLException {
        try (Connection c = db(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, arg);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static String one(String sql, String arg) throws SQLException {
        try (Connection c = db(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, arg);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static void await(String what, Duration limit, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                StringBuilder logs = new StringBuilder();
                nodes.forEach((id, n) -> logs.append("\n--- ").append(id).append(" ---\n").append(tail(n.log())));
                throw new AssertionError(what + " did not happen within " + limit + logs);
            }
            Thread.sleep(100);
        }
    }

    private static String tail(String log) {
        return log.length() > 4_000 ? log.substring(log.length() - 4_000) : log;
    }

    private static BooleanSupplier quietly(Check c) {
        return () -> {
            try {
                return c.ok();
            } catch (Exception e) {
                return false;
            }
        };
    }

    @FunctionalInterface
    private interface Check {
        boolean ok() throws Exception;
    }

    /** The version's state as the shared store has it ({@code null}: no verdict at all). */
    private static String storedState(String coordinate) throws Exception {
        String json = one("SELECT json FROM verdicts WHERE key = ?", coordinate);
        return json == null ? null : JSON.readTree(json).path("state").asText().toLowerCase(java.util.Locale.ROOT);
    }

    private static String tarballPath(String name) {
        return "/npm/" + name + "/-/" + name + "-1.0.0.tgz";
    }

    // ---------------------------------------------------------------- the tests

    @Test
    @Order(1)
    void npmAndPipInstallsSpreadOverTheNodesShareOneStoreAndOneCopyOfEachArtifact() throws Exception {
        String registry = "http://127.0.0.1:" + balancer.port() + "/npm/";
        NpmProject project = NpmProject.create(work.resolve("npm-install"));
        ClientProcess.Result npm = project.npm(registry, "install", "mn-old-a@1.0.0", "mn-old-b@1.0.0");
        assertTrue(npm.succeeded(), npm::describe);
        Venv venv = Venv.create(Clients.python().orElseThrow(), work.resolve("py"));
        ClientProcess.Result pip = venv.pipInstall("http://127.0.0.1:" + balancer.port() + "/pypi/simple/",
                PythonFixtures.PROJECT);
        assertTrue(pip.succeeded(), pip::describe);
        venv.distInfo(PythonFixtures.MODULE, "1.1.0");

        // A few plain requests as well, one connection each: every node takes its turn.
        for (int i = 0; i < 6; i++) {
            HttpResponse<byte[]> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + balancer.port() + "/npm/mn-old-a")).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, r.statusCode());
        }
        for (int i = 0; i < 3; i++) {
            assertTrue(balancer.connections(i) > 0, "node " + i + " got no connection");
        }
        // Every node answers from the same verdicts, whichever served the install.
        for (String id : List.of("node-a", "node-b", "node-c")) {
            assertEquals(200, get(node(id), tarballPath("mn-old-a")).statusCode(), id);
        }
        assertEquals("allowed", storedState("npm:mn-old-a@1.0.0"));
        assertEquals("allowed", storedState("pypi:airlock-demo@1.1.0"));
        assertTrue(count("SELECT count(*) FROM downloads WHERE coordinate = ?", "npm:mn-old-a@1.0.0") >= 1);
        // One copy in the shared bucket, under its sha256.
        String sha = Digests.sha256Hex(tarballs.get("mn-old-a"));
        Path blob = work.resolve("s3").resolve("blobs").resolve(BUCKET).resolve("cluster").resolve("sha256")
                .resolve(sha.substring(0, 2)).resolve(sha.substring(2, 4)).resolve(sha);
        await("the tarball in the shared bucket", Duration.ofSeconds(10), () -> Files.isRegularFile(blob));
        assertEquals(sha, Digests.sha256Hex(Files.readAllBytes(blob)));
    }

    @Test
    @Order(2)
    void concurrentFirstSightingsOnEveryNodeMakeOneAnalysisAndNothingIsServedBeforeItsVerdict() throws Exception {
        String version = "npm:mn-fresh@1.0.0";
        String fileJob = version + "|mn-fresh-1.0.0.tgz";
        List<String> proxies = List.of("node-a", "node-b", "node-c");
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(proxies.size());
        List<Instant> served = Collections.synchronizedList(new ArrayList<>());
        List<Future<Integer>> first = new ArrayList<>();
        for (String id : proxies) {
            first.add(pool.submit(() -> {
                go.await();
                get(node(id), "/npm/mn-fresh");
                int status = get(node(id), tarballPath("mn-fresh")).statusCode();
                if (status == 200) {
                    served.add(Instant.now());
                }
                return status;
            }));
        }
        go.countDown();
        for (Future<Integer> f : first) {
            int status = f.get();
            assertTrue(status == 403 || status == 200, "a held version is refused or served after its verdict: " + status);
        }
        pool.shutdown();
        await("the analysis of " + version, Duration.ofSeconds(300),
                quietly(() -> "allowed".equals(storedState(version))));
        // A listing queues a version job (expanded into file jobs); a first download queues its file's job
        // itself, and then no version job need run: at most one, and exactly one analysis of the file.
        assertTrue(count("SELECT count(*) FROM analysis_runs WHERE key = ?", version) <= 1, "at most one version job run");
        assertEquals(1, count("SELECT count(*) FROM analysis_runs WHERE key = ?", fileJob), "one analysis of the file");
        Instant analysed = Instant.ofEpochMilli(Long.parseLong(one(
                "SELECT (extract(epoch FROM at) * 1000)::bigint::text FROM analysis_results WHERE key = ?", fileJob)));
        // Now every proxy serves it: the first one from the shared bucket or its own cache, never from the upstream again.
        for (String id : proxies) {
            await(id + " serving " + version, Duration.ofSeconds(5),
                    quietly(() -> get(node(id), tarballPath("mn-fresh")).statusCode() == 200));
        }
        npmUpstream.verify(1, getRequestedFor(urlEqualTo("/mn-fresh/-/mn-fresh-1.0.0.tgz")));
        for (Instant t : served) {
            assertTrue(!t.isBefore(analysed.minusSeconds(1)), "served at " + t + " before its analysis at " + analysed);
        }
    }

    @Test
    @Order(3)
    void anAdminBlockOnOneNodeIsRefusedOnTheOthersWithinOneSecond() throws Exception {
        String path = tarballPath("mn-old-a");
        List<Long> latencies = new ArrayList<>();
        for (int round = 0; round < 10; round++) {
            boolean block = round % 2 == 0;
            HttpResponse<String> r = admin(node("node-a"), "POST", "packages/npm/mn-old-a/1.0.0/override",
                    "{\"action\":\"" + (block ? "block" : "allow") + "\",\"reason\":\"multi-node round " + round + "\"}");
            long changed = System.nanoTime();
            assertEquals(200, r.statusCode(), r.body());
            for (String id : List.of("node-b", "node-c")) {
                int want = block ? 403 : 200;
                while (get(node(id), path).statusCode() != want) {
                    assertTrue(System.nanoTime() - changed < 5_000_000_000L, id + " never answered " + want);
                    Thread.sleep(10);
                }
                latencies.add((System.nanoTime() - changed) / 1_000_000);
            }
        }
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        long p50 = sorted.get(sorted.size() / 2);
        long max = sorted.get(sorted.size() - 1);
        System.out.println("MULTINODE override propagation to the other nodes (n=" + sorted.size() + "): p50 " + p50
                + " ms, max " + max + " ms, all " + latencies);
        assertTrue(max < 1_000, "an override reached another node only after " + max + " ms: " + latencies);
        assertEquals("allowed", storedState("npm:mn-old-a@1.0.0"));
    }

    @Test
    @Order(4)
    void aNodeKilledDuringAnAnalysisHasItsJobFinishedByAnother() throws Exception {
        String version = "npm:mn-slow@1.0.0";
        String fileJob = version + "|mn-slow-1.0.0.tgz";
        assertEquals(200, get(node("node-b"), "/npm/mn-slow").statusCode());
        await("a node analysing " + fileJob, Duration.ofSeconds(120),
                quietly(() -> count("SELECT count(*) FROM analysis_runs WHERE key = ?", fileJob) == 1));
        // Into the sandbox run (its install sleeps), then the node running it dies.
        Thread.sleep(4_000);
        String victim = one("SELECT leased_by FROM analysis_jobs WHERE key = ?", fileJob);
        assertTrue(victim != null && nodes.containsKey(victim), "leased by a known node: " + victim);
        assertEquals(0, count("SELECT count(*) FROM analysis_results WHERE key = ?", fileJob), "still running");
        node(victim).kill9();
        Instant killed = Instant.now();
        await("another node finishing " + fileJob, Duration.ofSeconds(240),
                quietly(() -> count("SELECT count(*) FROM analysis_results WHERE key = ?", fileJob) == 1));
        Instant done = Instant.now();
        String finisher = one("SELECT analysed_by FROM analysis_results WHERE key = ?", fileJob);
        assertNotEquals(victim, finisher);
        assertEquals(2, count("SELECT count(*) FROM analysis_runs WHERE key = ?", fileJob), "the first run and the takeover");
        Instant takeover = Instant.ofEpochMilli(Long.parseLong(one(
                "SELECT (extract(epoch FROM max(started)) * 1000)::bigint::text FROM analysis_runs WHERE key = ?", fileJob)));
        String state = storedState(version);
        assertTrue(state != null && !state.equals("pending"), "the version has its verdict: " + state);
        String survivor = victim.equals("node-a") ? "node-b" : "node-a";
        JsonNode view = JSON.readTree(admin(node(survivor), "GET", "packages/npm/mn-slow/1.0.0", null).body());
        assertNotEquals("pending", view.path("state").asText(), view.toString());
        System.out.println("MULTINODE lease takeover after kill -9 of " + victim + ": taken over by " + finisher + " after "
                + Duration.between(killed, takeover).toMillis() + " ms (store.leaseTimeout 6s), result recorded "
                + Duration.between(killed, done).toMillis() + " ms after the kill, verdict " + state);
    }
}

package dev.airlock.proxy.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.model.Ecosystem;
import dev.airlock.model.PackageCoordinate;
import dev.airlock.policy.AnalysisStage;
import dev.airlock.policy.Reason;
import dev.airlock.policy.Verdict;
import dev.airlock.policy.VerdictState;
import dev.airlock.policy.store.VerdictStore;
import dev.airlock.proxy.cli.PolicyServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How fast the admin API answers one filtered page of the review queue over a store of 100,000
 * versions (bench/admin/run.sh runs it; the target is under 100 ms). The store is written
 * directly (70% allowed, 15% pending, 10% quarantined of which half sandbox_error, 5% blocked),
 * then the real policy engine and admin API start on it and each query is timed over loopback
 * HTTP. Refuses to print figures if any answer was not a 200 with the expected total.
 */
public final class PagingBenchmark {
    private static final int VERSIONS = Integer.getInteger("bench.versions", 100_000);
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 200);

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("airlock-paging-bench");
        int expectedSandboxErrors = seed(dir.resolve("data"));
        long startOpen = System.nanoTime();
        try (PolicyServer airlock = new PolicyServer(dir.resolve("data"), "bench-token")) {
            System.out.printf("store: %,d versions; policy engine and index ready in %d ms%n", VERSIONS,
                    (System.nanoTime() - startOpen) / 1_000_000);
            HttpClient http = HttpClient.newHttpClient();
            String base = airlock.url() + "api/v1/versions?limit=50&";
            List<String[]> queries = List.of(
                    new String[] {"state=quarantined&reason=sandbox_error", String.valueOf(expectedSandboxErrors)},
                    new String[] {"state=quarantined&reason=sandbox_error&offset=2000&sort=name", String.valueOf(expectedSandboxErrors)},
                    new String[] {"state=held&ecosystem=npm&name=*-12*", null},
                    new String[] {"rule=sandbox_error&olderThan=1h", null},
                    new String[] {"sort=-firstSeen", String.valueOf(VERSIONS)});
            boolean allOk = true;
            List<String> lines = new ArrayList<>();
            for (String[] q : queries) {
                long[] ms = new long[ROUNDS];
                String total = null;
                for (int i = -20; i < ROUNDS; i++) {
                    long t0 = System.nanoTime();
                    HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(base + q[0]))
                            .header("Authorization", "Bearer bench-token").timeout(Duration.ofSeconds(30)).build(),
                            HttpResponse.BodyHandlers.ofByteArray());
                    long took = System.nanoTime() - t0;
                    JsonNode body = new ObjectMapper().readTree(r.body());
                    if (r.statusCode() != 200 || (q[1] != null && !body.path("total").asText().equals(q[1]))) {
                        System.out.println("unexpected answer to " + q[0] + ": " + r.statusCode() + " total "
                                + body.path("total").asText() + " (expected " + q[1] + ")");
                        allOk = false;
                    }
                    total = body.path("total").asText();
                    if (i >= 0) {
                        ms[i] = took;
                    }
                }
                Arrays.sort(ms);
                lines.add(String.format("GET /api/v1/versions?limit=50&%-55s total %7s  p50 %6.1f ms  p95 %6.1f ms  max %6.1f ms",
                        q[0], total, ms[ROUNDS / 2] / 1e6, ms[(int) (ROUNDS * 0.95)] / 1e6, ms[ROUNDS - 1] / 1e6));
            }
            if (!allOk) {
                System.out.println("not printing figures: some answers were not the expected success");
                System.exit(1);
            }
            lines.forEach(System.out::println);
            System.out.println("target: a filtered page under 100 ms (p95 of " + ROUNDS + " requests after 20 warm-up)");
        }
    }

    /** Writes the versions straight into the policy store; returns how many are sandbox_error quarantines. */
    private static int seed(Path dataDir) {
        Instant now = Instant.now();
        int sandboxErrors = 0;
        try (VerdictStore store = VerdictStore.open(dataDir)) {
            List<Verdict> batch = new ArrayList<>();
            for (int i = 0; i < VERSIONS; i++) {
                Ecosystem eco = i % 3 == 0 ? Ecosystem.PYPI : Ecosystem.NPM;
                PackageCoordinate c = PackageCoordinate.of(eco, "bench-pkg-" + i, "1." + (i % 13) + ".0");
                Instant seen = now.minusSeconds(60L * (i % 5000));
                int bucket = i % 100;
                Verdict v;
                if (bucket < 70) {
                    v = new Verdict(c, VerdictState.ALLOWED, List.of(Reason.of("published_before_hold",
                            dev.airlock.policy.ReasonSource.RULE, "published before the hold window")), seen, "rule", seen,
                            Instant.parse("2020-01-01T00:00:00Z"), false, AnalysisStage.NONE, null, List.of(), null, List.of());
                } else if (bucket < 85) {
                    v = Verdict.firstSighting(c, seen, now.minusSeconds(600), true);
                } else if (bucket < 95) {
                    String rule = bucket < 90 ? "sandbox_error" : "install_script_network";
                    sandboxErrors += bucket < 90 ? 1 : 0;
                    List<Reason> why = List.of(Reason.of(rule, dev.airlock.policy.ReasonSource.ANALYSIS, "finding " + rule));
                    v = new Verdict(c, VerdictState.QUARANTINED, why, seen, "analysis", seen, now.minusSeconds(3600), true,
                            AnalysisStage.FULL, VerdictState.QUARANTINED, why, "ab".repeat(32), List.of());
                } else {
                    List<Reason> why = List.of(Reason.of("honeytoken_access", dev.airlock.policy.ReasonSource.ANALYSIS, "bait"));
                    v = new Verdict(c, VerdictState.BLOCKED, why, seen, "analysis", seen, now.minusSeconds(3600), true,
                            AnalysisStage.FULL, VerdictState.BLOCKED, why, "cd".repeat(32), List.of());
                }
                batch.add(v);
                if (batch.size() == 5000) {
                    store.putVerdicts(batch);
                    batch.clear();
                }
            }
            store.putVerdicts(batch);
        }
        return sandboxErrors;
    }
}

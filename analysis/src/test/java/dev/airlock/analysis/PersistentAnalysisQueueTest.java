package dev.airlock.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.analysis.queue.PersistentAnalysisQueue;
import dev.airlock.config.AnalysisConfig;
import dev.airlock.model.Ecosystem;
import dev.airlock.model.PackageCoordinate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PersistentAnalysisQueueTest {
    @TempDir
    Path dir;

    private final AnalysisConfig config = new AnalysisConfig(1, Duration.ofSeconds(30), null, false);

    private Path artifact(String name, String version, String scripts) throws IOException {
        return Fixtures.npm(dir, name + "-" + version, Fixtures.files("package.json", Fixtures.packageJson(name, version, scripts),
                "index.js", "module.exports = 1;\n"));
    }

    @Test
    void pendingJobsResumeAfterReopenAndResultsSurviveIt() throws Exception {
        PackageCoordinate c = PackageCoordinate.of(Ecosystem.NPM, "demo", "1.0.0");
        Path file = artifact("demo", "1.0.0", "");
        CountDownLatch never = new CountDownLatch(1);
        ArtifactSource blocked = coordinate -> {
            try {
                never.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new IOException("upstream down");
        };
        Path data = dir.resolve("data");
        try (PersistentAnalysisQueue q = new PersistentAnalysisQueue(data, config, Analyzer.staticOnly(), blocked,
                Duration.ofMillis(10))) {
            q.submit(c, AnalysisPriority.NEW_VERSION);
            q.submit(c, AnalysisPriority.DOWNLOAD_WAITING);
            assertEquals(1, q.depth());
        }
        Map<PackageCoordinate, AnalysisResult> seen = new ConcurrentHashMap<>();
        CountDownLatch done = new CountDownLatch(1);
        try (PersistentAnalysisQueue q = new PersistentAnalysisQueue(data, config, Analyzer.staticOnly(), x -> file,
                Duration.ofMillis(10))) {
            Thread.sleep(300);
            assertEquals(1, q.depth(), "a resumed job waits for a listener, so its result cannot be lost");
            q.onResult((coord, r) -> {
                seen.put(coord, r);
                done.countDown();
            });
            assertTrue(done.await(20, TimeUnit.SECONDS), "resumed job never finished");
            assertEquals(Recommendation.CLEAN, seen.get(c).recommendation());
            assertEquals(0, q.depth());
        }
        try (PersistentAnalysisQueue q = new PersistentAnalysisQueue(data, config, Analyzer.staticOnly(), x -> file)) {
            assertNotNull(q.result(c));
            assertEquals("demo", q.result(c).name());
            q.submit(c, AnalysisPriority.DOWNLOAD_WAITING);
            // Submissions are stored by the queue's writer thread: give it a moment to refuse this one.
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (q.depth() != 0 && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            assertEquals(0, q.depth(), "an analysed version is not queued again");
        }
        assertTrue(Files.exists(data.resolve("reports/npm/demo/1.0.0.json")));
    }

    @Test
    void retriesInfrastructureFailuresAndReportsANewInstallScriptAsBehaviourChange() throws Exception {
        Path v1 = artifact("pkg", "1.0.0", "");
        Path v2 = artifact("pkg", "1.1.0", "\"postinstall\":\"node setup.js\"");
        AtomicInteger calls = new AtomicInteger();
        ArtifactSource flaky = c -> {
            if (c.version().equals("1.1.0") && calls.incrementAndGet() == 1) {
                throw new IOException("connection reset");
            }
            return c.version().equals("1.0.0") ? v1 : v2;
        };
        Map<String, AnalysisResult> seen = new ConcurrentHashMap<>();
        CountDownLatch done = new CountDownLatch(2);
        try (PersistentAnalysisQueue q = new PersistentAnalysisQueue(dir.resolve("d2"), config, Analyzer.staticOnly(), flaky,
                Duration.ofMillis(10))) {
            q.onResult((c, r) -> {
                seen.put(c.version(), r);
                done.countDown();
            });
            q.submit(PackageCoordinate.of(Ecosystem.NPM, "pkg", "1.0.0"), AnalysisPriority.NEW_VERSION);
            Thread.sleep(300);
            q.submit(PackageCoordinate.of(Ecosystem.NPM, "pkg", "1.1.0"), AnalysisPriority.NEW_VERSION);
            assertTrue(done.await(20, TimeUnit.SECONDS));
        }
        assertEquals(2, calls.get(), "one failure, one retry");
        assertTrue(seen.get("1.1.0").findings().stream().anyMatch(f -> f.rule().equals("behavior_changed")
                && f.evidence().contains("node setup.js")), seen.get("1.1.0").findings().toString());
    }
}

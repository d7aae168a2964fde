package dev.airlock.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.analysis.archive.ArchiveLimits;
import dev.airlock.analysis.queue.PersistentAnalysisQueue;
import dev.airlock.config.AnalysisConfig;
import dev.airlock.model.ArtifactFile;
import dev.airlock.model.Ecosystem;
import dev.airlock.model.PackageCoordinate;
import dev.airlock.sandbox.BehaviorReport;
import dev.airlock.sandbox.Sandbox;
import dev.airlock.sandbox.SandboxUnavailableException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QueuePerFileAndOutageTest {
    @TempDir
    Path dir;

    private static final AnalysisConfig STATIC_IS_ENOUGH = new AnalysisConfig(2, Duration.ofSeconds(30), null, false);
    private static final AnalysisConfig NEEDS_SANDBOX = new AnalysisConfig(1, Duration.ofSeconds(30), null, true);

    /** An engine that can be switched off and on; when on, it reports a package that did nothing. */
    static final class SwitchableSandbox implements Sandbox {
        final AtomicBoolean up = new AtomicBoolean();
        final AtomicInteger runs = new AtomicInteger();

        @Override
        public boolean available() {
            return up.get();
        }

        @Override
        public String status() {
            return up.get() ? "up" : "down";
        }

        @Override
        public BehaviorReport run(Path artifact, Ecosystem ecosystem) throws SandboxUnavailableException {
            if (!up.get()) {
                throw new SandboxUnavailableException("engine down");
            }
            runs.incrementAndGet();
            return new BehaviorReport("runc", "test", List.of());
        }
    }

    private Path sdist(String name) throws IOException {
        return Fixtures.sdist(dir, name, Fixtures.files("PKG-INFO", "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n",
                "demo/__init__.py", "VALUE = 1\n"));
    }

    @Test
    void aVersionJobAnalysesEveryFileTheRegistryListsAndReportsEachWithItsFile() throws Exception {
        PackageCoordinate c = PackageCoordinate.of(Ecosystem.PYPI, "demo", "1.0");
        ArtifactFile a = ArtifactFile.of("demo-1.0.tar.gz", "a".repeat(64), null);
        ArtifactFile b = ArtifactFile.of("demo-1.0-py3-none-any.whl", "b".repeat(64), null);
        Path bytesA = sdist("demo-1.0");
        Path bytesB = sdist("demo-1.0-other");
        ArtifactSource source = new ArtifactSource() {
            @Override
            public Path fetch(PackageCoordinate coordinate) {
                throw new AssertionError("a version with listed files is analysed file by file");
            }

            @Override
            public List<ArtifactFile> files(PackageCoordinate coordinate) {
                return List.of(a, b);
            }

            @Override
            public Path fetch(PackageCoordinate coordinate, ArtifactFile file) {
                return file.equals(a) ? bytesA : bytesB;
            }
        };
        Map<String, AnalysisResult> seen = new ConcurrentHashMap<>();
        CountDownLatch done = new CountDownLatch(2);
        try (PersistentAnalysisQueue q = new PersistentAnalysisQueue(dir.resolve("q"), STATIC_IS_ENOUGH, Analyzer.staticOnly(),
                source, Duration.ofMillis(10))) {
            q.onFileResult((coord, file, r) -> {
                seen.put(file.name(), r);
                done.countDown();
            });
            q.submit(c, AnalysisPriority.NEW_VERSION);
            assertTrue(done.await(20, TimeUnit.SECONDS), "not every file was analysed: " + seen.keySet());
            assertEquals(Set.of(a.name(), b.name()), q.results(c).keySet());
            assertEquals(0, q.depth());
        }
        assertEquals(Set.of(a.name(), b.name()), seen.keySet());
    }

    @Test
    void anUpstreamFailureIsRecordedWithItsCauseAndTheJobRunsAgainInsteadOfBecomingAVerdict() throws Exception {
        PackageCoordinate c = PackageCoordinate.of(Ecosystem.PYPI, "flaky", "1.0");
        Path bytes = sdist("flaky-1.0");
        AtomicInteger calls = new AtomicInteger();
        ArtifactSource source = coordinate -> {
            if (calls.incrementAndGet() <= 3) {
                throw new IOException("upstream answered 503");
            }
            return bytes;
        };
        CountDownLatch done = new CountDownLatch(1);
        try (PersistentAnalysisQueue q = new PersistentAnalysisQueue(dir.resolve("q"), STATIC_IS_ENOUGH, Analyzer.staticOnly(),
                source, Duration.ofMillis(20))) {
            q.onFileResult((coord, file, r) -> done.countDown());
            q.submit(c, AnalysisPriority.NEW_VERSION);
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (q.recentFailures(10).isEmpty() && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            InfrastructureFailure f = q.recentFailures(10).get(0);
            assertEquals("fetch_failed", f.cause());
            assertTrue(f.detail().contains("503"), f.detail());
            assertTrue(done.await(20, TimeUnit.SECONDS), "the job never ran again");
            assertEquals(4, calls.get(), "three failures, then the run that worked");
            assertTrue(q.lastFailure(c).isEmpty(), "a job that ran is no longer shown as failing");
            assertEquals(3L, q.failureCounts().get("fetch_failed"));
        }
    }

    @Test
    void withTheSandboxRequiredAndNoEngineAJobWaitsAndRunsInTheSandboxOnceOneAnswers() throws Exception {
        PackageCoordinate c = PackageCoordinate.of(Ecosystem.PYPI, "waiting", "1.0");
        Path bytes = sdist("waiting-1.0");
        SwitchableSandbox sandbox = new SwitchableSandbox();
        Analyzer analyzer = new Analyzer(sandbox, ArchiveLimits.defaults(), Set.of());
        CountDownLatch done = new CountDownLatch(1);
        Map<String, AnalysisResult> seen = new ConcurrentHashMap<>();
        try (PersistentAnalysisQueue q = new PersistentAnalysisQueue(dir.resolve("q"), NEEDS_SANDBOX, analyzer,
                coordinate -> bytes, Duration.ofMillis(20))) {
            q.onFileResult((coord, file, r) -> {
                seen.put("r", r);
                done.countDown();
            });
            q.submit(c, AnalysisPriority.NEW_VERSION);
            assertFalse(done.await(2, TimeUnit.SECONDS), "released without its sandbox run");
            assertEquals(1, q.depth(), "the job stays queued while no engine answers");
            assertEquals(1, q.waitingForSandbox());
            assertNull(q.result(c));

            sandbox.up.set(true);
            assertTrue(done.await(20, TimeUnit.SECONDS), "the job did not resume when the engine came back");
            assertEquals(1, sandbox.runs.get());
            assertTrue(seen.get("r").behavior() != null, "the result carries the sandbox run");
            assertEquals(0, q.depth());
        }
    }
}

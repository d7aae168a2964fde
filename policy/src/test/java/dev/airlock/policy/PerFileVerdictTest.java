package dev.airlock.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.analysis.AnalysisPriority;
import dev.airlock.analysis.AnalysisResult;
import dev.airlock.analysis.Finding;
import dev.airlock.analysis.Recommendation;
import dev.airlock.config.PolicyConfig;
import dev.airlock.model.ArtifactFile;
import dev.airlock.model.Ecosystem;
import dev.airlock.model.PackageCoordinate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PerFileVerdictTest {
    static final Instant NOW = PolicyGateTest.NOW;
    static final Instant MINUTES_AGO = PolicyGateTest.MINUTES_AGO;
    static final Instant MONTHS_AGO = PolicyGateTest.MONTHS_AGO;
    static final DownloadContext WHO = new DownloadContext("127.0.0.1", "pip/26.0", "demo");

    @RegisterExtension
    final PolicyFixture fixture = new PolicyFixture(NOW);
    final MutableClock clock = fixture.clock;
    final TestQueue queue = fixture.queue;
    PolicyEngine engine;

    PolicyGate open(StaticCheck check) {
        return open(check, Duration.ofMillis(300));
    }

    PolicyGate open(StaticCheck check, Duration holdWait) {
        PolicyConfig policy = new PolicyConfig(null, null, holdWait, null, null, null, null, null, null);
        engine = fixture.open(policy, check);
        return engine.gate();
    }

    static PackageCoordinate pypi(String name, String version) {
        return PackageCoordinate.of(Ecosystem.PYPI, name, version);
    }

    static ArtifactFile file(String name, char digit, Instant uploaded) {
        return ArtifactFile.of(name, String.valueOf(digit).repeat(64), uploaded);
    }

    static Decision await(java.util.concurrent.CompletionStage<Decision> s) throws Exception {
        return s.toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    @Test
    void aMaliciousPlatformWheelIsRefusedWhileTheCleanFilesOfTheSameReleaseAreServed() throws Exception {
        PolicyGate gate = open(null);
        PackageCoordinate c = pypi("demo", "1.0");
        ArtifactFile pure = file("demo-1.0-py3-none-any.whl", 'a', MINUTES_AGO);
        ArtifactFile linux = file("demo-1.0-cp311-cp311-manylinux_2_17_x86_64.whl", 'b', MINUTES_AGO);
        assertFalse(gate.listedFile(c, MINUTES_AGO, pure).serve(), "a new file waits for its analysis");
        assertFalse(gate.listedFile(c, MINUTES_AGO, linux).serve());
        assertEquals(List.of(pure, linux), queue.fileSubmissions.stream().map(TestQueue.FileSubmission::file).toList(),
                "each held file is queued on its own");

        queue.deliverFile(c, pure, Recommendation.CLEAN);
        queue.deliverFile(c, linux, Recommendation.MALICIOUS, new Finding("exec_download", "critical", "static",
                "Downloads and runs a payload at import.", "urlopen(...)", "demo/_native.py:3"));

        assertTrue(gate.listedFile(c, MINUTES_AGO, pure).serve());
        assertTrue(await(gate.beforeDownload(c, MINUTES_AGO, pure, WHO)).serve());
        Decision refused = await(gate.beforeDownload(c, MINUTES_AGO, linux, WHO));
        assertFalse(refused.serve());
        assertEquals("exec_download", refused.code());
        Verdict version = engine.admin().version(c);
        assertEquals(VerdictState.BLOCKED, version.state(), "a version is as bad as its worst file");
        assertEquals(2, version.files().size());
        assertTrue(version.primaryReason().message().startsWith(linux.name() + ": "), version.primaryReason().message());
    }

    @Test
    void aFileAddedToAnOldReleaseWaitsForItsOwnAnalysis() throws Exception {
        PolicyGate gate = open(null);
        PackageCoordinate c = pypi("olden", "2.0");
        ArtifactFile sdist = file("olden-2.0.tar.gz", 'c', MONTHS_AGO);
        assertTrue(gate.listedFile(c, MONTHS_AGO, sdist).serve(), "an old release is served (static check on download)");
        queue.deliverFile(c, sdist, Recommendation.CLEAN);

        clock.advance(Duration.ofDays(1));
        ArtifactFile added = file("olden-2.0-py3-none-any.whl", 'd', clock.instant().minus(Duration.ofMinutes(3)));
        Decision d = gate.listedFile(c, MONTHS_AGO, added);
        assertFalse(d.serve(), "uploaded after Airlock first saw the release: new, whatever the release's age");
        assertEquals("quarantined_pending", d.code());
        assertTrue(queue.fileSubmissions.stream().anyMatch(s -> s.file().equals(added)
                && s.priority() == AnalysisPriority.NEW_VERSION));
        assertTrue(gate.listedFile(c, MONTHS_AGO, sdist).serve(), "the analysed file stays served");
    }

    @Test
    void otherBytesUnderAnAnalysedFileNameAreNotCoveredByItsAnalysis() {
        PolicyGate gate = open(null);
        PackageCoordinate c = pypi("swapped", "1.0");
        ArtifactFile first = file("swapped-1.0.tar.gz", 'e', MINUTES_AGO);
        gate.listedFile(c, MINUTES_AGO, first);
        queue.deliverFile(c, first, Recommendation.CLEAN);
        assertTrue(gate.listedFile(c, MINUTES_AGO, first).serve());
        ArtifactFile swapped = file("swapped-1.0.tar.gz", 'f', MINUTES_AGO);
        assertFalse(gate.listedFile(c, MINUTES_AGO, swapped).serve());
    }

    @Test
    void withoutASandboxANewVersionIsRefusedAsSandboxUnavailableUntilOneAnswers() throws Exception {
        PolicyGate gate = open(null);
        AtomicBoolean engine = new AtomicBoolean(false);
        gate.analysisAvailability(engine::get, 20);
        PackageCoordinate c = PackageCoordinate.of(Ecosystem.NPM, "fresh", "1.0.0");
        Decision d = await(gate.beforeDownload(c, MINUTES_AGO, WHO));
        assertFalse(d.serve());
        assertEquals("sandbox_unavailable", d.code());
        assertEquals("Quarantined: analysis pending (sandbox unavailable)", d.message());
        assertEquals("sandbox_unavailable", gate.listed(c, MINUTES_AGO).code());

        engine.set(true);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (gate.listed(c, MINUTES_AGO).code().equals("sandbox_unavailable") && System.nanoTime() < until) {
            clock.advance(Duration.ofSeconds(3));
            Thread.sleep(20);
        }
        assertEquals("quarantined_pending", gate.listed(c, MINUTES_AGO).code(), "held, now waiting for an analysis that can run");
        queue.deliver(c, Recommendation.CLEAN);
        assertTrue(gate.listed(c, MINUTES_AGO).serve());
    }

    @Test
    void twoHundredFirstDownloadsOfAHundredVersionsAtOnceAreAllJudgedByTheirStaticCheck() throws Exception {
        PolicyGate gate = open((coordinate, path) -> new AnalysisResult("npm", coordinate.name(), coordinate.version(),
                "ab".repeat(32), Recommendation.CLEAN, List.of(), null, 0, 0), Duration.ofSeconds(30));
        ExecutorService pool = Executors.newFixedThreadPool(32);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Decision>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < 200; i++) {
                PackageCoordinate c = PackageCoordinate.of(Ecosystem.NPM, "pkg" + (i % 100), "1.0.0");
                answers.add(pool.submit(() -> {
                    go.await();
                    CompletableFuture<Decision> before = gate.beforeDownload(c, MONTHS_AGO, WHO).toCompletableFuture();
                    if (!before.get(20, TimeUnit.SECONDS).serve()) {
                        return before.get();
                    }
                    return gate.afterFetch(c, fixture.dir(), "ab".repeat(32)).toCompletableFuture().get(20, TimeUnit.SECONDS);
                }));
            }
            go.countDown();
            for (Future<Decision> f : answers) {
                Decision d = f.get(60, TimeUnit.SECONDS);
                assertTrue(d.serve(), "refused: " + d);
            }
        } finally {
            pool.shutdownNow();
        }
        for (int i = 0; i < 100; i++) {
            assertEquals(AnalysisStage.STATIC, engine.admin().version(PackageCoordinate.of(Ecosystem.NPM, "pkg" + i, "1.0.0"))
                    .analysisStage());
        }
    }
}

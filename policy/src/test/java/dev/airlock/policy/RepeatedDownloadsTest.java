package dev.airlock.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.analysis.Recommendation;
import dev.airlock.config.AirlockConfig;
import dev.airlock.config.PolicyConfig;
import dev.airlock.model.ArtifactFile;
import dev.airlock.model.Ecosystem;
import dev.airlock.model.PackageCoordinate;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The same file downloaded again and again: answers reused while nothing changed, never past a change. */
class RepeatedDownloadsTest {
    static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    static final Instant MONTHS_AGO = NOW.minus(Duration.ofDays(90));
    static final DownloadContext WHO = new DownloadContext("127.0.0.1", "npm/10.8.2", "left-pad-1.0.0.tgz");
    static final String SHA = "ab".repeat(32);

    @TempDir
    Path dir;
    final MutableClock clock = new MutableClock(NOW);
    final TestQueue queue = new TestQueue();
    PolicyEngine engine;

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
    }

    PolicyGate open(PolicyConfig policy) {
        AirlockConfig cfg = new AirlockConfig(0, "127.0.0.1", dir, null, null, null, null, "T", null, null, policy, null, null);
        engine = PolicyEngine.open(cfg, queue, null, clock, 60_000);
        return engine.gate();
    }

    PolicyGate open() {
        return open(new PolicyConfig(null, null, Duration.ofMillis(200), null, null, null, null, null, null));
    }

    static PackageCoordinate npm(String name, String version) {
        return PackageCoordinate.of(Ecosystem.NPM, name, version);
    }

    static Decision await(CompletionStage<Decision> s) throws Exception {
        return s.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aSecondDownloadOfTheSameFileReusesTheAnswerUntilTheClockMovesTwoSeconds() throws Exception {
        PolicyGate gate = open();
        PackageCoordinate c = npm("left-pad", "1.0.0");
        ArtifactFile file = ArtifactFile.of("left-pad-1.0.0.tgz", null, MONTHS_AGO);
        // The first download records the first sighting: a store change, so the next one decides again.
        assertTrue(await(gate.beforeDownload(c, MONTHS_AGO, file, WHO)).serve());
        CompletionStage<Decision> first = gate.beforeDownload(c, MONTHS_AGO, file, WHO);
        assertTrue(await(first).serve());
        assertSame(first, gate.beforeDownload(c, MONTHS_AGO, file, WHO), "nothing changed: the answer is reused");
        CompletionStage<Decision> fetched = gate.afterFetch(c, file, dir, SHA);
        assertTrue(await(fetched).serve());
        assertSame(fetched, gate.afterFetch(c, file, dir, SHA));
        assertNotSame(first, fetched, "the answer after the fetch is its own: it may have to run the static check");
        clock.advance(Duration.ofMillis(DownloadDecisions.REUSE_MILLIS));
        assertNotSame(first, gate.beforeDownload(c, MONTHS_AGO, file, WHO), "decided again once the reuse window passed");
    }

    @Test
    void anAdminBlockReachesTheVeryNextDownloadOfAFileThatWasJustServed() throws Exception {
        PolicyGate gate = open();
        PackageCoordinate c = npm("left-pad", "1.0.0");
        ArtifactFile file = ArtifactFile.of("left-pad-1.0.0.tgz", null, MONTHS_AGO);
        assertTrue(await(gate.beforeDownload(c, MONTHS_AGO, file, WHO)).serve());
        assertTrue(await(gate.afterFetch(c, file, dir, SHA)).serve());
        engine.admin().override(c, OverrideAction.BLOCK, "compromised maintainer", null, "t");
        Decision before = await(gate.beforeDownload(c, MONTHS_AGO, file, WHO));
        assertFalse(before.serve());
        assertEquals("admin_block", before.code());
        assertFalse(await(gate.afterFetch(c, file, dir, SHA)).serve(), "a download already past the first check is stopped too");
    }

    @Test
    void aMinimumAgeThatRunsOutShowsWithinTheReuseWindow() throws Exception {
        PolicyConfig p = new PolicyConfig(null, null, Duration.ofMillis(100), Duration.ofDays(3), null, null, null, null, null);
        PolicyGate gate = open(p);
        PackageCoordinate c = npm("young", "1.0.0");
        Instant published = NOW.minus(Duration.ofDays(3)).plusSeconds(1);
        gate.listed(c, published);
        queue.deliver(c, Recommendation.CLEAN);
        assertEquals("minimum_age", await(gate.beforeDownload(c, published, WHO)).code());
        clock.advance(Duration.ofMillis(1_500));
        assertEquals("minimum_age", await(gate.beforeDownload(c, published, WHO)).code(),
                "within the window the answer may be reused: this is what the window allows");
        clock.advance(Duration.ofMillis(DownloadDecisions.REUSE_MILLIS));
        assertTrue(await(gate.beforeDownload(c, published, WHO)).serve(), "past the window the new age counts");
    }

    @Test
    void manyDownloadsByOneClientBecomeOneCountedRecordThatSurvivesARestart() throws Exception {
        PolicyGate gate = open();
        PackageCoordinate c = npm("left-pad", "1.0.0");
        gate.listed(c, MONTHS_AGO);
        for (int i = 0; i < 1_000; i++) {
            gate.served(c, WHO);
        }
        clock.advance(Duration.ofMillis(300));
        gate.served(c, WHO);
        gate.served(c, new DownloadContext("10.0.0.9", "pip/26", "left-pad-1.0.0.tgz", "ci-bot"));
        // A flush every second may split the burst in two records; never more.
        List<DownloadRecord> seen = engine.admin().downloads(c, 10);
        List<DownloadRecord> npmClient = seen.stream().filter(r -> r.clientAddress().equals("127.0.0.1")).toList();
        assertTrue(npmClient.size() <= 2, "1,001 downloads were written as " + npmClient.size() + " records");
        assertEquals(1_001, npmClient.stream().mapToInt(DownloadRecord::count).sum());
        assertEquals(NOW, npmClient.get(0).at());
        assertEquals(NOW.plusMillis(300), npmClient.get(npmClient.size() - 1).lastAt());
        DownloadRecord bot = seen.get(seen.size() - 1);
        assertEquals(1, bot.count());
        assertEquals("ci-bot", bot.client());
        gate.served(c, WHO);
        engine.close();
        engine = null;
        open();
        List<DownloadRecord> after = engine.admin().downloads(c, 10);
        assertEquals(seen.size() + 1, after.size(), "the download counted just before the close was written by it");
        assertEquals(1_003, after.stream().mapToInt(DownloadRecord::count).sum());
    }

    @Test
    void aRecordWrittenBeforeCountsExistedReadsAsOneDownload() throws Exception {
        DownloadRecord old = dev.airlock.policy.store.StoreJson.read(
                "{\"at\":\"2026-03-01T12:00:00Z\",\"clientAddress\":\"10.0.0.1\",\"userAgent\":\"npm/9\",\"file\":\"a.tgz\"}",
                DownloadRecord.class);
        assertEquals(1, old.count());
        assertEquals(old.at(), old.lastAt());
    }
}

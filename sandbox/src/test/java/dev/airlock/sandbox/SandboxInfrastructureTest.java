package dev.airlock.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.config.SandboxConfig;
import dev.airlock.model.Ecosystem;
import dev.airlock.sandbox.BehaviorReport.Phase;
import dev.airlock.testing.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How inputs reach the container, and that the sandbox's own failures never become a report (real engine). */
class SandboxInfrastructureTest {
    private static final SandboxConfig CONFIG = new SandboxConfig("runc", null, Duration.ofSeconds(20),
            Duration.ofSeconds(10), 1, 512, 256);
    private static DockerSandbox sandbox;

    @TempDir
    Path dir;

    @BeforeAll
    static void engine() {
        sandbox = DockerSandbox.create(CONFIG);
    }

    @AfterAll
    static void nothingLeftBehind() {
        if (sandbox != null && sandbox.available()) {
            assertEquals(0, sandbox.ownContainers(), "sandbox containers left after the suite");
            sandbox.close();
        }
    }

    private static void requireEngine() {
        Requirements.require(sandbox.available(), "a Docker engine (" + sandbox.status() + ")");
    }

    private static Phase phase(BehaviorReport report, String name) {
        return report.phases().stream().filter(p -> p.phase().equals(name)).findFirst().orElseThrow();
    }

    /** The proxy's store writes 0600 files; the package's code runs as another user in the container. */
    private static Path asTheStoreWritesIt(Path artifact) throws Exception {
        Files.setPosixFilePermissions(artifact, PosixFilePermissions.fromString("rw-------"));
        return artifact;
    }

    @Test
    void installsAnNpmTarballTheStoreWroteWithMode0600() throws Exception {
        requireEngine();
        BehaviorReport report = sandbox.run(asTheStoreWritesIt(SandboxFixtures.harmlessNpm(dir)), Ecosystem.NPM);
        Phase install = phase(report, "install");
        assertEquals("completed", install.status());
        assertEquals(0, install.exitCode());
        assertEquals("completed", phase(report, "import").status());
    }

    @Test
    void installsAWheelTheStoreWroteWithMode0600() throws Exception {
        requireEngine();
        BehaviorReport report = sandbox.run(asTheStoreWritesIt(SandboxFixtures.importTimeWheel(dir)), Ecosystem.PYPI);
        Phase install = phase(report, "install");
        assertEquals("completed", install.status());
        assertEquals(0, install.exitCode());
    }

    @Test
    void anInputThatIsNotAReadableFileIsInputUnreadableNotAReport() throws Exception {
        requireEngine();
        Path notAFile = Files.createDirectory(dir.resolve("airlock-fixture-1.0.0.tgz"));
        SandboxUnavailableException e = assertThrows(SandboxUnavailableException.class,
                () -> sandbox.run(notAFile, Ecosystem.NPM));
        assertEquals("input_unreadable", e.cause());
        assertEquals(0, sandbox.ownContainers());
    }

    @Test
    void helpersThatCannotStartAreInitFailedAndTheDetailShowsWhy() throws Exception {
        requireEngine();
        Path empty = Files.createDirectory(dir.resolve("no-helpers"));
        try (DockerSandbox broken = DockerSandbox.create(CONFIG, empty)) {
            SandboxUnavailableException e = assertThrows(SandboxUnavailableException.class,
                    () -> broken.run(SandboxFixtures.harmlessNpm(dir), Ecosystem.NPM));
            assertEquals("init_failed", e.cause());
            assertTrue(e.detail().contains("airlock_init.py"), "python3's complaint is in the detail: " + e.detail());
            assertEquals(0, broken.ownContainers());
        }
    }

    @Test
    void aHelperThatCrashesBeforeThePackageRunsIsInitFailedWithItsTracebackInTheDetail() throws Exception {
        requireEngine();
        Path helpers = Files.createDirectory(dir.resolve("helpers"));
        for (String name : Resources.HELPERS) {
            Files.write(helpers.resolve(name), Resources.read(name));
        }
        Files.writeString(helpers.resolve("airlock_baits.py"),
                "def plant(*args):\n    raise RuntimeError('the bait helper is broken on purpose')\n");
        try (DockerSandbox broken = DockerSandbox.create(CONFIG, helpers)) {
            SandboxUnavailableException e = assertThrows(SandboxUnavailableException.class,
                    () -> broken.run(SandboxFixtures.maliciousNpm(dir), Ecosystem.NPM));
            assertEquals("init_failed", e.cause());
            assertTrue(e.detail().contains("the bait helper is broken on purpose"), e.detail());
            assertTrue(e.detail().length() < 2 * 1024 + 200, "the detail is bounded: " + e.detail().length());
        }
    }

    @Test
    void withoutAnEngineCreateReturnsPromptlyAndEveryCheckSaysEngineUnreachable() throws Exception {
        String previous = System.getProperty("DOCKER_HOST");
        System.setProperty("DOCKER_HOST", "unix://" + dir.resolve("no-engine.sock"));
        try {
            long start = System.nanoTime();
            try (DockerSandbox none = DockerSandbox.create(CONFIG)) {
                assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos(), "create() took too long");
                assertEquals(false, none.available());
                assertEquals("engine_unreachable", none.unavailableCause());
                assertEquals(null, none.runtime());
                long recheck = System.nanoTime();
                assertEquals(false, none.recheck());
                assertTrue(System.nanoTime() - recheck < EngineProbe.TIMEOUT.plusSeconds(1).toNanos(), "recheck() took too long");
                SandboxUnavailableException e = assertThrows(SandboxUnavailableException.class,
                        () -> none.run(SandboxFixtures.harmlessNpm(dir), Ecosystem.NPM));
                assertEquals("engine_unreachable", e.cause());
                assertTrue(e.detail().contains("no-engine.sock"), e.detail());
            }
        } finally {
            if (previous == null) {
                System.clearProperty("DOCKER_HOST");
            } else {
                System.setProperty("DOCKER_HOST", previous);
            }
        }
    }

    @Test
    void aRecheckOfARunningEngineFindsItAvailable() {
        requireEngine();
        assertTrue(sandbox.recheck(), sandbox.status());
        assertEquals("runc", sandbox.runtime());
    }
}

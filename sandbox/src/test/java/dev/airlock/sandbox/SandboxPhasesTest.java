package dev.airlock.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.config.SandboxConfig;
import dev.airlock.model.Ecosystem;
import dev.airlock.sandbox.BehaviorReport.Phase;
import dev.airlock.testing.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The phases beyond install, in real containers on the local Docker Engine (required in CI): code that
 * only runs when called is seen in the execute phase, dependencies come from a directory of allowed
 * artifacts, and a wheel pip refuses on Linux is still imported.
 */
class SandboxPhasesTest {
    private static final SandboxConfig CONFIG = new SandboxConfig("runc", null, Duration.ofSeconds(30),
            Duration.ofSeconds(20), 1, 512, 256);
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
        // On a loaded machine the first probe of a cold JVM can miss its wait: ask once more before skipping.
        Requirements.require(sandbox.available() || sandbox.recheck(), "a Docker engine (" + sandbox.status() + ")");
    }

    private static Phase phase(BehaviorReport report, String name) {
        return report.phases().stream().filter(p -> p.phase().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void aPythonFunctionThatOnlyRunsWhenCalledIsSeenInTheExecutePhase() throws Exception {
        requireEngine();
        BehaviorReport report = sandbox.run(SandboxFixtures.calledOnlyWheel(dir), Ecosystem.PYPI);
        assertEquals(List.of("install", "import", "execute"), report.phases().stream().map(Phase::phase).toList());
        assertTrue(phase(report, "import").baits().isEmpty(), "importing reads nothing: " + phase(report, "import").baits());
        Phase execute = phase(report, "execute");
        assertEquals("completed", execute.status());
        assertTrue(execute.baits().stream().anyMatch(b -> b.bait().equals("aws-credentials") && b.how().equals("read")),
                "calling sync() reads the AWS key: " + execute.baits());
        assertTrue(execute.dns().stream().anyMatch(d -> d.hostname().equals(SandboxFixtures.BEACON)),
                "calling sync() looks up the beacon: " + execute.dns());
    }

    @Test
    void anNpmExportAndBinThatOnlyRunWhenCalledAreSeenInTheExecutePhase() throws Exception {
        requireEngine();
        BehaviorReport report = sandbox.run(SandboxFixtures.calledOnlyNpm(dir), Ecosystem.NPM);
        assertTrue(phase(report, "import").baits().isEmpty(), "loading reads nothing: " + phase(report, "import").baits());
        Phase execute = phase(report, "execute");
        assertTrue(execute.baits().stream().anyMatch(b -> b.bait().equals("ssh-private-key") && b.how().equals("read")),
                "calling report() reads the SSH key: " + execute.baits());
        assertTrue(execute.commands().stream().anyMatch(c -> c.argv().equals(List.of("id", "-un"))),
                "running the bin runs its command: " + execute.commands());
    }

    @Test
    void dependenciesFromTheAllowedDirectoryLetTheImportGetFurther() throws Exception {
        requireEngine();
        Path deps = Files.createDirectory(dir.resolve("deps"));
        SandboxFixtures.dependencyWheel(deps);
        Files.setPosixFilePermissions(deps, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path wheel = SandboxFixtures.dependentWheel(dir);
        Phase without = phase(sandbox.run(wheel, null, Ecosystem.PYPI, null), "import");
        assertTrue(without.dns().isEmpty(), "without its dependency the import stops first: " + without.dns());
        Phase with = phase(sandbox.run(wheel, null, Ecosystem.PYPI, deps), "import");
        assertTrue(with.dns().stream().anyMatch(d -> d.hostname().equals(SandboxFixtures.BEACON)),
                "with it the dependency's import-time lookup is seen: " + with.dns());
    }

    @Test
    void aWheelPipRefusesOnLinuxIsStillUnpackedAndImported() throws Exception {
        requireEngine();
        Phase imported = phase(sandbox.run(SandboxFixtures.windowsOnlyWheel(dir), Ecosystem.PYPI), "import");
        assertTrue(imported.baits().stream().anyMatch(b -> b.bait().equals("aws-credentials") && b.how().equals("read")),
                "its module ran on import: " + imported.baits());
    }
}

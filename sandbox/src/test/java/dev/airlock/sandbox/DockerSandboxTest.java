package dev.airlock.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.config.SandboxConfig;
import dev.airlock.model.Ecosystem;
import dev.airlock.sandbox.BehaviorReport.Phase;
import dev.airlock.testing.Requirements;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs real packages in real containers on the local Docker Engine (required in CI). */
class DockerSandboxTest {
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

    private static void assertMaliciousBehaviour(Phase install) {
        assertTrue(install.files().stream().anyMatch(f -> f.path().equals("/etc/passwd") && f.read()), "reads /etc/passwd: " + install.files());
        assertTrue(install.commands().stream().anyMatch(c -> c.argv().get(0).endsWith("whoami")), "runs whoami: " + install.commands());
        assertTrue(install.dns().stream().anyMatch(d -> d.hostname().equals(SandboxFixtures.BEACON)), "looks up the beacon: " + install.dns());
        assertTrue(install.network().stream().anyMatch(n -> n.address().equals(SandboxFixtures.TARGET) && n.port() == SandboxFixtures.PORT),
                "connects to the target: " + install.network());
        assertTrue(install.baits().stream().anyMatch(b -> b.bait().equals("ssh-private-key") && b.how().equals("read")),
                "reads the planted SSH key: " + install.baits());
        assertEquals(0, install.unparsedTraceLines());
    }

    @Test
    void reportsEveryBehaviourOfAMaliciousNpmPostinstall() throws Exception {
        requireEngine();
        BehaviorReport report = sandbox.run(SandboxFixtures.maliciousNpm(dir), Ecosystem.NPM);
        assertEquals("runc", report.runtime());
        assertEquals(List.of("install", "import", "execute"), report.phases().stream().map(Phase::phase).toList());
        Phase install = phase(report, "install");
        assertEquals("completed", install.status());
        assertMaliciousBehaviour(install);
        // The POST carried the AWS key from the environment: a bait used, not just read.
        assertTrue(install.baits().stream().anyMatch(b -> b.bait().equals("aws-environment") && b.how().equals("sent")),
                "sends the AWS key: " + install.baits());
        assertTrue(phase(report, "import").dns().isEmpty(), "install-time lookups stay in the install phase");
        // A connection to the address the in-sandbox DNS handed out maps back to the name.
        assertTrue(install.network().stream().anyMatch(n -> n.port() == 80 && SandboxFixtures.BEACON.equals(n.hostname())
                && n.address().startsWith("198.18.")), "connects to the beacon by name: " + install.network());
    }

    @Test
    void reportsEveryBehaviourOfAMaliciousSetupPy() throws Exception {
        requireEngine();
        BehaviorReport report = sandbox.run(SandboxFixtures.maliciousSdist(dir), Ecosystem.PYPI);
        Phase install = phase(report, "install");
        assertEquals("completed", install.status());
        assertEquals(0, install.exitCode());
        assertMaliciousBehaviour(install);
        assertEquals("completed", phase(report, "import").status());
    }

    @Test
    void reportsNothingForAHarmlessPackage() throws Exception {
        requireEngine();
        BehaviorReport report = sandbox.run(SandboxFixtures.harmlessNpm(dir), Ecosystem.NPM);
        // What the lifecycle script itself runs is reported; nothing beyond it.
        assertEquals(List.of(new BehaviorReport.Command(List.of("node", "setup.js"))), phase(report, "install").commands());
        assertEquals(List.of(), phase(report, "import").commands());
        for (Phase phase : report.phases()) {
            assertEquals("completed", phase.status(), phase.phase());
            assertEquals(0, phase.exitCode(), phase.phase());
            assertTrue(phase.network().isEmpty(), "network: " + phase.network());
            assertTrue(phase.dns().isEmpty(), "dns: " + phase.dns());
            assertTrue(phase.baits().isEmpty(), "baits: " + phase.baits());
            assertTrue(phase.files().isEmpty(), "files: " + phase.files());
        }
    }

    @Test
    void flagsABaitReadWhenAWheelIsImported() throws Exception {
        requireEngine();
        BehaviorReport report = sandbox.run(SandboxFixtures.importTimeWheel(dir), Ecosystem.PYPI);
        Phase install = phase(report, "install");
        Phase imported = phase(report, "import");
        assertEquals("completed", install.status());
        assertEquals(0, install.exitCode());
        assertTrue(install.baits().isEmpty(), "install reads no bait: " + install.baits());
        assertEquals("completed", imported.status());
        assertTrue(imported.baits().stream().anyMatch(b -> b.bait().equals("aws-credentials") && b.how().equals("read")),
                "import reads ~/.aws/credentials: " + imported.baits());
        // pip writes a wheel's files itself and runs none of its code, so that step is not traced; the hook
        // is seen where it acts.
        assertTrue(imported.commands().stream().anyMatch(c -> c.argv().equals(List.of("id", "-un"))),
                "the .pth hook runs at start-up: " + imported.commands());
    }

    @Test
    void reportsTheSameBehaviourIdenticallyTwice() throws Exception {
        requireEngine();
        Path artifact = SandboxFixtures.maliciousNpm(dir);
        ObjectMapper json = new ObjectMapper();
        String first = json.writeValueAsString(withoutDurations(sandbox.run(artifact, Ecosystem.NPM)));
        String second = json.writeValueAsString(withoutDurations(sandbox.run(artifact, Ecosystem.NPM)));
        assertEquals(first, second);
    }

    private static BehaviorReport withoutDurations(BehaviorReport r) {
        return new BehaviorReport(r.runtime(), r.image(), r.phases().stream().map(p -> new Phase(p.phase(), p.status(),
                p.exitCode(), 0, p.files(), p.commands(), p.network(), p.dns(), p.baits(), p.unparsedTraceLines())).toList());
    }

    @Test
    void endsAnEndlessInstallAtItsDeadlineAndLeavesNoContainer() throws Exception {
        requireEngine();
        SandboxConfig shortDeadlines = new SandboxConfig("runc", null, Duration.ofSeconds(4), Duration.ofSeconds(4), 1, 512, 256);
        try (DockerSandbox quick = DockerSandbox.create(shortDeadlines)) {
            long start = System.nanoTime();
            BehaviorReport report = quick.run(SandboxFixtures.endlessNpm(dir), Ecosystem.NPM);
            long seconds = (System.nanoTime() - start) / 1_000_000_000L;
            Phase install = phase(report, "install");
            assertEquals("timeout", install.status());
            assertEquals(null, install.exitCode());
            assertTrue(install.durationMs() >= 3_500, "ran until the deadline: " + install.durationMs());
            assertTrue(seconds < 4 + 4 + 20, "took " + seconds + " s");
            assertEquals(0, quick.ownContainers());
        }
    }

    @Test
    void holdsThePidsLimitAgainstAForkBomb() throws Exception {
        requireEngine();
        BehaviorReport report = sandbox.run(SandboxFixtures.forkBombNpm(dir), Ecosystem.NPM);
        Phase install = phase(report, "install");
        // Exit 3: fork failed before 5000 children, i.e. the pids limit stopped it.
        assertEquals(3, install.exitCode(), "status " + install.status());
        assertEquals("completed", install.status());
        assertEquals(0, sandbox.ownContainers());
    }

    @Test
    void reportsOomForAMemoryHog() throws Exception {
        requireEngine();
        BehaviorReport report = sandbox.run(SandboxFixtures.memoryHogNpm(dir), Ecosystem.NPM);
        assertEquals("oom", phase(report, "install").status());
        assertEquals(0, sandbox.ownContainers());
    }

    @Test
    void refusesToInstallAPackageWhoseNameIsNotValid() throws Exception {
        requireEngine();
        Path artifact = SandboxFixtures.npm(dir, "../../evil", Map.of("postinstall", "whoami"), Map.of());
        Phase install = phase(sandbox.run(artifact, Ecosystem.NPM), "install");
        assertEquals("error", install.status());
        assertTrue(install.commands().isEmpty(), "nothing ran: " + install.commands());
    }

    @Test
    void runsTheSamePhasesUnderGvisorWhenRegistered() throws Exception {
        requireEngine();
        SandboxConfig gvisor = new SandboxConfig("runsc", null, Duration.ofSeconds(40), Duration.ofSeconds(20), 1, 512, 2048);
        try (DockerSandbox runsc = DockerSandbox.create(gvisor)) {
            // Skips on a laptop without gVisor; fails under CI=true, where .ci/setup-docker.sh registers it.
            Requirements.require(runsc.available(), "gVisor (runsc) registered with the engine (" + runsc.status() + ")");
            BehaviorReport report = runsc.run(SandboxFixtures.maliciousNpm(dir), Ecosystem.NPM);
            assertEquals("runsc", report.runtime());
            Phase install = phase(report, "install");
            assertEquals("completed", install.status());
            assertMaliciousBehaviour(install);
            Phase forks = phase(runsc.run(SandboxFixtures.forkBombNpm(dir), Ecosystem.NPM), "install");
            assertEquals(3, forks.exitCode(), "the process cap stops a fork bomb before it takes gVisor down: " + forks.status());
            assertEquals(0, runsc.ownContainers());
        }
    }

    @Test
    void theDefaultRuntimeIsGvisorWhenTheEngineHasItRegistered() {
        requireEngine();
        SandboxConfig auto = new SandboxConfig(null, null, null, null, 1, 512, null);
        try (DockerSandbox sandbox = DockerSandbox.create(auto)) {
            Requirements.require("runsc".equals(sandbox.runtime()),
                    "gVisor (runsc) registered with the engine (" + sandbox.status() + ")");
            assertEquals(null, sandbox.warning());
            assertTrue(sandbox.status().contains("runtime runsc (auto)"), sandbox.status());
        }
    }

    @Test
    void aSandboxWithoutAnEngineSaysSoAndRefusesToRun() throws Exception {
        String previous = System.getProperty("DOCKER_HOST");
        System.setProperty("DOCKER_HOST", "unix://" + dir.resolve("no-engine.sock"));
        try (DockerSandbox none = DockerSandbox.create(CONFIG)) {
            assertFalse(none.available());
            assertTrue(none.status().contains("UNAVAILABLE"), none.status());
            Path artifact = SandboxFixtures.harmlessNpm(dir);
            SandboxUnavailableException e = org.junit.jupiter.api.Assertions.assertThrows(SandboxUnavailableException.class,
                    () -> none.run(artifact, Ecosystem.NPM));
            assertNotEquals(null, e.getMessage());
        } finally {
            if (previous == null) {
                System.clearProperty("DOCKER_HOST");
            } else {
                System.setProperty("DOCKER_HOST", previous);
            }
        }
    }
}

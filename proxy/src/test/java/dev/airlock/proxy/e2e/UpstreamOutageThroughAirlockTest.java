package dev.airlock.proxy.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.policy.VerdictGate;
import dev.airlock.testing.Requirements;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Installs keep working when the upstream goes away: metadata past its time-to-live is served
 * from the last good copy (stale-if-error) and artifacts from the store, to fresh clients with
 * empty caches.
 */
class UpstreamOutageThroughAirlockTest {
    @TempDir
    static Path dataDir;
    private static AirlockRig rig;

    @BeforeAll
    static void startAirlock() throws Exception {
        rig = AirlockRig.start(dataDir, VerdictGate.allowAll(),
                "--upstream.metadata-ttl", "1s", "--upstream.retries", "0", "--upstream.connect-timeout", "2s");
    }

    @AfterAll
    static void stopAirlock() {
        if (rig != null) {
            rig.close();
        }
    }

    @Test
    void pipAndNpmInstallFromTheLastGoodCopiesWhileTheUpstreamIsDown(@TempDir Path work) throws Exception {
        Requirements.require(Clients.python().isPresent(), "python3 with venv and ensurepip");
        Requirements.require(Clients.npm().isPresent(), "npm");
        Venv before = Venv.create(Clients.python().get(), work.resolve("pip-before"));
        ClientProcess.Result r = before.pipInstall(rig.pypiIndex(), PythonFixtures.PROJECT);
        assertTrue(r.succeeded(), r::describe);
        NpmProject warm = NpmProject.create(work.resolve("npm-before"));
        r = warm.npm(rig.npmRegistry(), "install", NpmFixtures.PLAIN, NpmFixtures.SCOPED);
        assertTrue(r.succeeded(), r::describe);

        rig.upstream().close();
        Thread.sleep(1_500);

        Venv after = Venv.create(Clients.python().get(), work.resolve("pip-after"));
        r = after.pipInstall(rig.pypiIndex(), PythonFixtures.PROJECT);
        assertTrue(r.succeeded(), r::describe);
        assertEquals("1.1.0", after.eval("import airlock_demo; print(airlock_demo.__version__)"));
        NpmProject cold = NpmProject.create(work.resolve("npm-after"));
        r = cold.npm(rig.npmRegistry(), "install", NpmFixtures.PLAIN, NpmFixtures.SCOPED);
        assertTrue(r.succeeded(), r::describe);
        assertEquals("1.1.0", cold.installedVersion(NpmFixtures.PLAIN));
        assertEquals("1.0.0", cold.installedVersion(NpmFixtures.SCOPED));
    }
}

package dev.airlock.proxy.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.testing.Requirements;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fixtures are valid for the real clients on their own, without Airlock in between: when an
 * end-to-end test fails, this tells whether the proxy or the fixture is to blame.
 */
class FakeRegistryServesRealClientsTest {
    private static FakeRegistry upstream;

    @BeforeAll
    static void startUpstream() throws Exception {
        upstream = FakeRegistry.start();
    }

    @AfterAll
    static void stopUpstream() {
        if (upstream != null) {
            upstream.close();
        }
    }

    @Test
    void pipBuildsTheFixtureSdistStraightFromTheFakeIndex(@TempDir Path work) throws Exception {
        Requirements.require(Clients.python().isPresent(), "python3 with venv and ensurepip");
        Venv venv = Venv.create(Clients.python().get(), work);

        ClientProcess.Result r = venv.pipInstall(upstream.pypiSimple(), "--no-binary", PythonFixtures.PROJECT,
                PythonFixtures.PROJECT + "==1.1.0");

        assertTrue(r.succeeded(), r::describe);
        assertEquals("1.1.0", venv.eval("import airlock_demo; print(airlock_demo.__version__)"));
    }

    @Test
    void npmInstallsTheFixturePackagesStraightFromTheFakeRegistry(@TempDir Path work) throws Exception {
        Requirements.require(Clients.npm().isPresent(), "npm");
        NpmProject project = NpmProject.create(work);

        ClientProcess.Result r = project.npm(upstream.npmBase(), "install", NpmFixtures.PLAIN, NpmFixtures.SCOPED);

        assertTrue(r.succeeded(), r::describe);
        assertEquals("1.1.0", project.installedVersion(NpmFixtures.PLAIN));
        assertEquals("1.0.0", project.installedVersion(NpmFixtures.SCOPED));
        ClientProcess.Result audit = project.npm(upstream.npmBase(), "audit", "--json");
        assertTrue(audit.succeeded() && audit.output().contains("\"vulnerabilities\""), audit::describe);
    }

    @Test
    void pnpmAndYarnInstallTheFixturesStraightFromTheFakeRegistry(@TempDir Path work) throws Exception {
        Requirements.require(Clients.pnpm().isPresent(), "pnpm");
        Requirements.require(Clients.yarn().isPresent(), "yarn");
        java.util.Map<String, String> deps = java.util.Map.of(NpmFixtures.PLAIN, "^1.0.0", NpmFixtures.SCOPED, "1.0.0");
        NpmProject pnpm = NpmProject.create(work.resolve("pnpm"), deps);
        ClientProcess.Result r = pnpm.pnpmInstall(upstream.npmBase());
        assertTrue(r.succeeded(), r::describe);
        assertEquals("1.1.0", pnpm.installedVersion(NpmFixtures.PLAIN));
        NpmProject yarn = NpmProject.create(work.resolve("yarn"), deps);
        r = yarn.yarnInstall(upstream.npmBase());
        assertTrue(r.succeeded(), r::describe);
        assertEquals("1.1.0", yarn.installedVersion(NpmFixtures.PLAIN));
    }
}

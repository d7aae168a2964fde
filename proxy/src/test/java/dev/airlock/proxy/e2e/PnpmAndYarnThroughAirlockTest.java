package dev.airlock.proxy.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.testing.Requirements;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * pnpm and Yarn Berry through Airlock. Both rebuild conventional tarball URLs from the registry
 * they are configured with, and Yarn asks for {@code @scope%2fname/-/...} tarball paths.
 */
class PnpmAndYarnThroughAirlockTest extends AllowAllRigTest {
    private static final Map<String, String> DEPENDENCIES =
            Map.of(NpmFixtures.PLAIN, "^1.0.0", NpmFixtures.SCOPED, "1.0.0");
    @Test
    void pnpmInstallsAnUnscopedAndAScopedPackageThroughTheProxy(@TempDir Path work) throws Exception {
        Requirements.require(Clients.pnpm().isPresent(), "pnpm (.ci/setup-clients.sh installs it)");
        NpmProject project = NpmProject.create(work, DEPENDENCIES);

        ClientProcess.Result r = project.pnpmInstall(rig.npmRegistry());

        assertTrue(r.succeeded(), r::describe);
        assertEquals("1.1.0", project.installedVersion(NpmFixtures.PLAIN));
        assertEquals("1.0.0", project.installedVersion(NpmFixtures.SCOPED));
        String lock = project.file("pnpm-lock.yaml");
        assertTrue(lock.contains(rig.upstream().npm(NpmFixtures.PLAIN, "1.1.0").integrity()), lock);
        assertTrue(lock.contains(rig.upstream().npm(NpmFixtures.SCOPED, "1.0.0").integrity()), lock);
        assertTrue(rig.upstream().requestsEndingWith("/" + rig.upstream().npm(NpmFixtures.PLAIN, "1.1.0")
                .tarballPath()) >= 1, "the tarball came from the upstream through the proxy");
    }

    @Test
    void yarnBerryInstallsAnUnscopedAndAScopedPackageThroughTheProxy(@TempDir Path work) throws Exception {
        Requirements.require(Clients.yarn().isPresent(), "yarn (.ci/setup-clients.sh installs Yarn Berry)");
        NpmProject project = NpmProject.create(work, DEPENDENCIES);

        ClientProcess.Result r = project.yarnInstall(rig.npmRegistry());

        assertTrue(r.succeeded(), r::describe);
        assertEquals("1.1.0", project.installedVersion(NpmFixtures.PLAIN));
        assertEquals("1.0.0", project.installedVersion(NpmFixtures.SCOPED));
        String lock = project.file("yarn.lock");
        assertTrue(lock.contains("\"" + NpmFixtures.PLAIN + "@npm:1.1.0\""), lock);
        assertTrue(lock.contains("\"" + NpmFixtures.SCOPED + "@npm:1.0.0\""), lock);
    }
}

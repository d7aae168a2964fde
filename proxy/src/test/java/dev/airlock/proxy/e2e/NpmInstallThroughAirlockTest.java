package dev.airlock.proxy.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.testing.Requirements;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real npm installing through Airlock: lockfile URLs at the proxy, tampered bytes refused. */
class NpmInstallThroughAirlockTest extends AllowAllRigTest {
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
    @Test
    void npmInstallsAnUnscopedAndAScopedPackageWithLockfileUrlsAtTheProxy(@TempDir Path work) throws Exception {
        Requirements.require(Clients.npm().isPresent(), "npm");
        NpmProject project = NpmProject.create(work);

        ClientProcess.Result r = project.npm(rig.npmRegistry(), "install", NpmFixtures.PLAIN, NpmFixtures.SCOPED);

        assertTrue(r.succeeded(), r::describe);
        assertEquals("1.1.0", project.installedVersion(NpmFixtures.PLAIN));
        assertEquals("1.0.0", project.installedVersion(NpmFixtures.SCOPED));
        JsonNode packages = project.packageLock().path("packages");
        for (NpmFixtures.NpmVersion expected : new NpmFixtures.NpmVersion[] {
                rig.upstream().npm(NpmFixtures.PLAIN, "1.1.0"), rig.upstream().npm(NpmFixtures.SCOPED, "1.0.0")}) {
            JsonNode locked = packages.path("node_modules/" + expected.name());
            assertEquals(rig.npmRegistry() + expected.tarballPath(), locked.path("resolved").asText(),
                    "lockfile entry of " + expected.name() + ": " + locked);
            assertEquals(expected.integrity(), locked.path("integrity").asText());
        }
    }

    @Test
    void npmCannotInstallATarballWhoseBytesDoNotMatchItsIntegrity(@TempDir Path work) throws Exception {
        Requirements.require(Clients.npm().isPresent(), "npm");
        NpmFixtures.NpmVersion tampered = rig.upstream().npm(NpmFixtures.TAMPERED, "1.0.0");
        NpmProject project = NpmProject.create(work);

        ClientProcess.Result r = project.npm(rig.npmRegistry(), "install", NpmFixtures.TAMPERED);

        assertNotEquals(0, r.exitCode(), r::describe);
        assertTrue(r.output().contains("502"), "npm reports the proxy's 502:\n" + r.output());
        assertTrue(rig.upstream().requestsEndingWith("/" + tampered.tarballPath()) >= 1,
                "the proxy did fetch the tarball from the upstream");
        assertEquals(java.util.List.of(), rig.filesWithSha256(Digests.sha256Hex(tampered.served())),
                "the mismatching bytes were not stored anywhere under the data dir");

        HttpResponse<byte[]> again = rig.get(rig.npmRegistry() + tampered.tarballPath(), null);
        assertEquals(502, again.statusCode(), "a second request is refused too, never served from a cache");
        assertFalse(again.body().length > 1 && again.body()[0] == 0x1f && (again.body()[1] & 0xff) == 0x8b,
                "no tarball bytes in the error body");
        String error = JSON.readTree(again.body()).path("error").asText().toLowerCase(java.util.Locale.ROOT);
        assertTrue(error.contains("integrity") || error.contains("hash") || error.contains("digest"),
                "the body says why: " + error);
    }

    @Test
    void npmAuditReachesTheUpstreamAdvisoriesThroughTheProxy(@TempDir Path work) throws Exception {
        Requirements.require(Clients.npm().isPresent(), "npm");
        NpmProject project = NpmProject.create(work);
        ClientProcess.Result install = project.npm(rig.npmRegistry(), "install", NpmFixtures.PLAIN + "@1.0.0");
        assertTrue(install.succeeded(), install::describe);

        ClientProcess.Result audit = project.npm(rig.npmRegistry(), "audit", "--json");

        assertTrue(audit.output().contains("Fixture advisory for the e2e tests"), audit::describe);
        assertTrue(rig.upstream().requestsEndingWith("/npm/-/npm/v1/security/advisories/bulk") >= 1,
                "the bulk advisory request was forwarded: " + rig.upstream().requests());
    }
}

package dev.airlock.proxy.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.model.Ecosystem;
import dev.airlock.model.PackageCoordinate;
import dev.airlock.proxy.TestGate;
import dev.airlock.testing.Requirements;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A version the gate blocks, as the real clients experience it: resolution falls back to the
 * previous version, and a pinned download fails with Airlock's reason in the client's output.
 */
class BlockedVersionsThroughAirlockTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final PackageCoordinate PYPI_NEWEST = PackageCoordinate.of(Ecosystem.PYPI, PythonFixtures.PROJECT, "1.1.0");
    private static final PackageCoordinate NPM_NEWEST = PackageCoordinate.of(Ecosystem.NPM, NpmFixtures.PLAIN, "1.1.0");
    private static final TestGate GATE = new TestGate();
    @TempDir
    static Path dataDir;
    private static AirlockRig rig;

    @BeforeAll
    static void startAirlock() throws Exception {
        rig = AirlockRig.start(dataDir, GATE);
    }

    @AfterAll
    static void stopAirlock() {
        if (rig != null) {
            rig.close();
        }
    }

    @BeforeEach
    void nothingBlocked() {
        GATE.clear();
    }

    @Test
    void pipFallsBackToThePreviousVersionWhenTheNewestIsBlocked(@TempDir Path work) throws Exception {
        Requirements.require(Clients.python().isPresent(), "python3 with venv and ensurepip");
        GATE.block(PYPI_NEWEST);
        Venv venv = Venv.create(Clients.python().get(), work);

        ClientProcess.Result r = venv.pipInstall(rig.pypiIndex(), PythonFixtures.PROJECT);

        assertTrue(r.succeeded(), r::describe);
        assertEquals("1.0.0", venv.eval("import airlock_demo; print(airlock_demo.__version__)"));
        assertFalse(r.output().contains("1.1.0"), "pip never saw the blocked version:\n" + r.output());
    }

    @Test
    void pipShowsTheReasonWhenABlockedFileIsRequestedDirectly(@TempDir Path work) throws Exception {
        Requirements.require(Clients.python().isPresent(), "python3 with venv and ensurepip");
        String wheelUrl = proxyFileUrl(PythonFixtures.MODULE + "-1.1.0-py3-none-any.whl");
        GATE.block(PYPI_NEWEST);
        Venv venv = Venv.create(Clients.python().get(), work);

        ClientProcess.Result r = venv.pipInstall(rig.pypiIndex(), wheelUrl);

        assertNotEquals(0, r.exitCode(), r::describe);
        assertTrue(r.output().contains("403"), r::describe);
        assertTrue(r.output().contains(TestGate.reason(PYPI_NEWEST)), "pip shows the reason phrase:\n" + r.output());
        HttpResponse<byte[]> direct = rig.get(wheelUrl, null);
        assertEquals(403, direct.statusCode());
        assertTrue(JSON.readTree(direct.body()).path("error").asText().startsWith(TestGate.reason(PYPI_NEWEST) + " - details: "
                + rig.base() + "ui/#/package/pypi/"), new String(direct.body(), java.nio.charset.StandardCharsets.UTF_8));
        assertTrue(direct.headers().firstValue("X-Airlock-Reason").isPresent(), direct.headers().map().toString());
    }

    @Test
    void npmInstallsThePreviousVersionWhenLatestIsBlocked(@TempDir Path work) throws Exception {
        Requirements.require(Clients.npm().isPresent(), "npm");
        GATE.block(NPM_NEWEST);
        NpmProject project = NpmProject.create(work);

        ClientProcess.Result r = project.npm(rig.npmRegistry(), "install", NpmFixtures.PLAIN);

        assertTrue(r.succeeded(), r::describe);
        assertEquals("1.0.0", project.installedVersion(NpmFixtures.PLAIN));
        JsonNode full = JSON.readTree(rig.get(rig.npmRegistry() + NpmFixtures.PLAIN, "application/json").body());
        assertEquals("1.0.0", full.path("dist-tags").path("latest").asText(), full.toPrettyString());
        assertFalse(full.path("versions").has("1.1.0"), full.toPrettyString());
        assertFalse(full.path("time").has("1.1.0"), "time stays consistent with versions: " + full.path("time"));
    }

    @Test
    void npmShowsTheReasonWhenTheLockfilePinsABlockedVersion(@TempDir Path work) throws Exception {
        Requirements.require(Clients.npm().isPresent(), "npm");
        NpmProject project = NpmProject.create(work);
        ClientProcess.Result before = project.npm(rig.npmRegistry(), "install", NpmFixtures.PLAIN);
        assertTrue(before.succeeded(), before::describe);
        assertEquals("1.1.0", project.installedVersion(NpmFixtures.PLAIN));
        GATE.block(NPM_NEWEST);
        project.deleteInstallState();

        ClientProcess.Result r = project.npm(rig.npmRegistry(), "ci");

        assertNotEquals(0, r.exitCode(), r::describe);
        assertTrue(r.output().contains("403"), r::describe);
        assertTrue(r.output().contains(TestGate.reason(NPM_NEWEST)), "npm shows Airlock's reason:\n" + r.output());
    }

    /** The proxy URL of a file, read from the JSON page while nothing is blocked. */
    private static String proxyFileUrl(String filename) throws Exception {
        HttpResponse<byte[]> page = rig.get(rig.pypiIndex() + PythonFixtures.PROJECT + "/", FakeRegistry.PYPI_JSON);
        for (JsonNode f : JSON.readTree(page.body()).path("files")) {
            if (f.path("filename").asText().equals(filename)) {
                return f.path("url").asText();
            }
        }
        throw new AssertionError(filename + " not listed: " + new String(page.body(), java.nio.charset.StandardCharsets.UTF_8));
    }
}

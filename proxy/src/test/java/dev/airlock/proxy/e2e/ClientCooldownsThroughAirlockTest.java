package dev.airlock.proxy.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.testing.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The clients' own cooldowns work through Airlock because every version it shows keeps the
 * upstream's publish time. Each client is given a cooldown that falls between the fixture's two
 * releases (computed from now, so the test never ages), and must pick the older release, as it
 * would from the upstream directly.
 */
class ClientCooldownsThroughAirlockTest extends AllowAllRigTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> PLAIN_ANY_1X = Map.of(NpmFixtures.PLAIN, "^1.0.0");

    /** A cooldown that the older npm release has served and the newer one has not. */
    private static Duration npmCooldown() {
        Instant older = rig.upstream().npm(NpmFixtures.PLAIN, "1.0.0").time();
        Instant newer = rig.upstream().npm(NpmFixtures.PLAIN, "1.1.0").time();
        Instant now = Instant.now();
        return Duration.between(older, now).plus(Duration.between(newer, now)).dividedBy(2);
    }

    @Test
    void everyShownVersionKeepsTheUpstreamsPublishTimeAndTheAbbreviatedFormItsModified() throws Exception {
        JsonNode full = JSON.readTree(rig.get(rig.npmRegistry() + NpmFixtures.PLAIN, "application/json").body());
        for (String v : List.of("1.0.0", "1.1.0")) {
            assertEquals(rig.upstream().npm(NpmFixtures.PLAIN, v).time().toString(), full.path("time").path(v).asText(), v);
        }
        JsonNode abbreviated = JSON.readTree(rig.get(rig.npmRegistry() + NpmFixtures.PLAIN, FakeRegistry.NPM_ABBREVIATED).body());
        assertEquals(rig.upstream().npm(NpmFixtures.PLAIN, "1.1.0").time().plusSeconds(60).toString(),
                abbreviated.path("modified").asText());
        JsonNode page = JSON.readTree(rig.get(rig.pypiIndex() + PythonFixtures.PROJECT + "/", FakeRegistry.PYPI_JSON).body());
        for (JsonNode f : page.path("files")) {
            assertEquals(FakeRegistry.UPLOAD_TIME.format(rig.upstream().pyFile(f.path("filename").asText()).uploadTime()),
                    f.path("upload-time").asText(), f.toString());
        }
    }

    @Test
    void npmMinReleaseAgeInstallsTheOlderReleaseThroughAirlock(@TempDir Path work) throws Exception {
        Requirements.require(Clients.npm().isPresent(), "npm");
        NpmProject project = NpmProject.create(work, PLAIN_ANY_1X);

        ClientProcess.Result r = project.npm(rig.npmRegistry(), "install", "--min-release-age=" + npmCooldown().toDays());

        assertTrue(r.succeeded(), r::describe);
        assertEquals("1.0.0", project.installedVersion(NpmFixtures.PLAIN));
    }

    @Test
    void npmBeforeInstallsTheOlderReleaseThroughAirlock(@TempDir Path work) throws Exception {
        Requirements.require(Clients.npm().isPresent(), "npm");
        NpmProject project = NpmProject.create(work, PLAIN_ANY_1X);

        ClientProcess.Result r = project.npm(rig.npmRegistry(), "install", "--before=" + Instant.now().minus(npmCooldown()));

        assertTrue(r.succeeded(), r::describe);
        assertEquals("1.0.0", project.installedVersion(NpmFixtures.PLAIN));
    }

    @Test
    void pnpmMinimumReleaseAgeStrictInstallsTheOlderReleaseThroughAirlock(@TempDir Path work) throws Exception {
        Requirements.require(Clients.pnpm().isPresent(), "pnpm (.ci/setup-clients.sh installs it)");
        NpmProject project = NpmProject.create(work, PLAIN_ANY_1X);
        Files.writeString(project.dir().resolve("pnpm-workspace.yaml"), "minimumReleaseAge: " + npmCooldown().toMinutes()
                + "\nminimumReleaseAgeStrict: true\n");

        ClientProcess.Result r = project.pnpmInstall(rig.npmRegistry());

        assertTrue(r.succeeded(), r::describe);
        assertEquals("1.0.0", project.installedVersion(NpmFixtures.PLAIN));
    }

    @Test
    void yarnNpmMinimalAgeGateInstallsTheOlderReleaseThroughAirlock(@TempDir Path work) throws Exception {
        Requirements.require(Clients.yarn().isPresent(), "yarn (.ci/setup-clients.sh installs Yarn Berry)");
        NpmProject project = NpmProject.create(work, PLAIN_ANY_1X);

        ClientProcess.Result r = project.yarnInstall(rig.npmRegistry(), "npmMinimalAgeGate: " + npmCooldown().toMinutes());

        assertTrue(r.succeeded(), r::describe);
        assertEquals("1.0.0", project.installedVersion(NpmFixtures.PLAIN));
    }

    @Test
    void pip26UploadedPriorToInstallsThroughAirlockWhatItPicksFromTheUpstreamDirectly(@TempDir Path work) throws Exception {
        Requirements.require(Clients.python().isPresent(), "python3 with venv and ensurepip");
        Path pip26 = Clients.pip26();
        Instant older = rig.upstream().pyFile(PythonFixtures.MODULE + "-1.0.0-py3-none-any.whl").uploadTime();
        Instant newer = rig.upstream().pyFile(PythonFixtures.MODULE + "-1.1.0-py3-none-any.whl").uploadTime();
        String cutoff = older.plus(Duration.between(older, newer).dividedBy(2)).toString();

        Venv direct = Venv.create(Clients.python().get(), work.resolve("direct"));
        ClientProcess.Result fromUpstream = direct.pipInstall(pip26, rig.upstream().pypiSimple(), "--uploaded-prior-to", cutoff,
                PythonFixtures.PROJECT);
        Venv through = Venv.create(Clients.python().get(), work.resolve("through"));
        ClientProcess.Result fromAirlock = through.pipInstall(pip26, rig.pypiIndex(), "--uploaded-prior-to", cutoff,
                PythonFixtures.PROJECT);

        assertTrue(fromUpstream.succeeded(), fromUpstream::describe);
        assertTrue(fromAirlock.succeeded(), fromAirlock::describe);
        String code = "import airlock_demo; print(airlock_demo.__version__)";
        assertEquals("1.0.0", direct.eval(code));
        assertEquals(direct.eval(code), through.eval(code));
        assertTrue(fromAirlock.output().contains(rig.base()), "pip downloaded from the proxy:\n" + fromAirlock.output());
    }
}

package dev.airlock.proxy.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.model.PackageCoordinate;
import dev.airlock.policy.Decision;
import dev.airlock.policy.DownloadContext;
import dev.airlock.policy.VerdictGate;
import dev.airlock.testing.Requirements;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Client identities with the real clients: npm and pnpm send {@code _authToken} from {@code .npmrc},
 * pip sends the token from its index URL; every download is recorded under the token's name, and
 * a client without a token is told what to configure.
 */
class ClientIdentitiesThroughAirlockTest {
    private static final String CI_TOKEN = "ci-web-token-0123456789abcdef";
    private static final String ALICE_TOKEN = "alice-token-fedcba9876543210";
    @TempDir
    static Path dir;
    static AirlockRig rig;
    static final List<String> served = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        Path tokens = dir.resolve("client-tokens");
        // One clear token, one stored only as its hash: both forms are accepted.
        Files.writeString(tokens, "# name token\nci-web " + CI_TOKEN + "\nalice "
                + dev.airlock.proxy.auth.ClientTokens.hashed(ALICE_TOKEN) + "\n");
        VerdictGate recording = new VerdictGate() {
            @Override
            public Decision listed(PackageCoordinate c, Instant publishedAt) {
                return Decision.allow();
            }

            @Override
            public CompletionStage<Decision> beforeDownload(PackageCoordinate c, Instant publishedAt, DownloadContext who) {
                return CompletableFuture.completedFuture(Decision.allow());
            }

            @Override
            public void served(PackageCoordinate c, DownloadContext who) {
                served.add(c + " " + who.client());
            }
        };
        rig = AirlockRig.start(Files.createDirectories(dir.resolve("data")), recording,
                "--clients.tokens-file", tokens.toString());
    }

    @AfterAll
    static void stop() {
        if (rig != null) {
            rig.close();
        }
    }

    private static String npmrcAuth(String token) {
        URI npm = URI.create(rig.npmRegistry());
        return "//" + npm.getRawAuthority() + npm.getRawPath() + ":_authToken=" + token + "\n";
    }

    @Test
    void npmWithAnAuthTokenInstallsAndTheDownloadNamesTheCiJob(@TempDir Path work) throws Exception {
        Requirements.require(Clients.npm().isPresent(), "npm");
        NpmProject project = NpmProject.create(work);
        Files.writeString(work.resolve("client-state").resolve("npmrc"), npmrcAuth(CI_TOKEN));

        ClientProcess.Result r = project.npm(rig.npmRegistry(), "install", NpmFixtures.PLAIN + "@1.0.0");

        assertTrue(r.succeeded(), r::describe);
        assertTrue(served.contains("npm:" + NpmFixtures.PLAIN + "@1.0.0 ci-web"), served::toString);
        assertTrue(!r.output().contains(CI_TOKEN), "npm's output does not show the token");
    }

    @Test
    void npmWithoutATokenIsToldToConfigureOne(@TempDir Path work) throws Exception {
        Requirements.require(Clients.npm().isPresent(), "npm");
        NpmProject project = NpmProject.create(work);

        ClientProcess.Result r = project.npm(rig.npmRegistry(), "install", NpmFixtures.PLAIN);

        assertNotEquals(0, r.exitCode(), r::describe);
        assertTrue(r.output().contains("E401") && r.output().contains("_authToken")
                && r.output().contains("airlock client-config --token"), r.output());
        assertTrue(!r.output().contains("npm login"), "npm does not send the user to npm login:\n" + r.output());
    }

    @Test
    void pnpmWithTheSameNpmrcInstallsAndIsNamed(@TempDir Path work) throws Exception {
        Requirements.require(Clients.pnpm().isPresent(), "pnpm");
        NpmProject project = NpmProject.create(work, java.util.Map.of(NpmFixtures.PLAIN, "1.1.0"));
        Files.writeString(project.dir().resolve(".npmrc"), npmrcAuth(CI_TOKEN));

        ClientProcess.Result r = project.pnpmInstall(rig.npmRegistry());

        assertTrue(r.succeeded(), r::describe);
        assertTrue(served.contains("npm:" + NpmFixtures.PLAIN + "@1.1.0 ci-web"), served::toString);
    }

    @Test
    void pipWithTheTokenInItsIndexUrlInstallsAndTheDownloadNamesThePerson(@TempDir Path work) throws Exception {
        Requirements.require(Clients.python().isPresent(), "python3 with venv and ensurepip");
        Venv venv = Venv.create(Clients.python().get(), work);
        String index = rig.pypiIndex().replace("http://", "http://alice:" + ALICE_TOKEN + "@");

        ClientProcess.Result r = venv.pipInstall(index, PythonFixtures.PROJECT + "==1.1.0");

        assertTrue(r.succeeded(), r::describe);
        assertTrue(served.stream().anyMatch(s -> s.startsWith("pypi:") && s.endsWith("@1.1.0 alice")), served::toString);
    }

    @Test
    void pipWithoutATokenShowsTheReasonPhraseWhenVerbose(@TempDir Path work) throws Exception {
        Requirements.require(Clients.python().isPresent(), "python3 with venv and ensurepip");
        Venv venv = Venv.create(Clients.python().get(), work);

        ClientProcess.Result r = venv.pipInstall(rig.pypiIndex(), "-vvv", PythonFixtures.PROJECT);

        assertNotEquals(0, r.exitCode(), r::describe);
        assertTrue(r.output().contains("401") && r.output().contains("Airlock needs a client token"), r.output());
    }

    @Test
    void aWrongTokenIsRefusedAndHealthStaysOpen() throws Exception {
        var req = java.net.http.HttpRequest.newBuilder(URI.create(rig.npmRegistry() + NpmFixtures.PLAIN))
                .header("Authorization", "Bearer not-a-known-token-at-all").build();
        var resp = java.net.http.HttpClient.newHttpClient().send(req, java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(401, resp.statusCode());
        assertTrue(resp.body().contains("not known"), resp.body());
        assertEquals(200, rig.get(rig.base() + "healthz", null).statusCode());
    }
}

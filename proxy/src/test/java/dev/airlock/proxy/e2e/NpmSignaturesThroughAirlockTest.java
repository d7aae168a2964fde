package dev.airlock.proxy.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.model.Ecosystem;
import dev.airlock.model.PackageCoordinate;
import dev.airlock.proxy.TestGate;
import dev.airlock.testing.Requirements;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * npm registry signatures and attestations through Airlock: the fake upstream signs every version
 * with a test P-256 key, and the real {@code npm audit signatures} verifies them against the keys
 * Airlock relays.
 */
class NpmSignaturesThroughAirlockTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TestGate GATE = new TestGate();
    @TempDir
    static Path dataDir;
    static AirlockRig rig;

    @BeforeAll
    static void start() throws Exception {
        GATE.block(PackageCoordinate.of(Ecosystem.NPM, NpmFixtures.SCOPED, "1.0.0"));
        rig = AirlockRig.start(dataDir, GATE);
    }

    @AfterAll
    static void stop() {
        if (rig != null) {
            rig.close();
        }
    }

    @Test
    void npmAuditSignaturesVerifiesTheUpstreamsSignaturesThroughAirlock(@TempDir Path work) throws Exception {
        Requirements.require(Clients.npm().isPresent(), "npm");
        NpmProject project = NpmProject.create(work, Map.of(NpmFixtures.PLAIN, "^1.0.0"));
        ClientProcess.Result install = project.npm(rig.npmRegistry(), "install");
        assertTrue(install.succeeded(), install::describe);

        project.environment("NODE_OPTIONS", "--require=" + noSigstoreTuf(work));
        ClientProcess.Result audit = project.npm(rig.npmRegistry(), "audit", "signatures");

        assertTrue(audit.succeeded(), audit::describe);
        assertTrue(audit.output().contains("1 package has a verified registry signature"), audit::describe);
        assertTrue(rig.upstream().requestsEndingWith("/npm/-/npm/v1/keys") >= 1, "the keys came from the upstream through Airlock");
    }

    /**
     * npm first asks Sigstore's public TUF repository for a registry's keys and falls back to the
     * registry's {@code /-/npm/v1/keys} when TUF has no target for it, as it has none for a private
     * registry. That repository is not reachable from here (npm fails in TUF's start-up, before any
     * registry is asked), so this preload answers "no target" the way TUF does for an unknown
     * registry; the keys request, the signature checks and everything else stay npm's own.
     */
    private static String noSigstoreTuf(Path work) throws java.io.IOException {
        Path js = work.resolve("no-sigstore-tuf.js");
        java.nio.file.Files.writeString(js, String.join("\n",
                "const Module = require('module');",
                "const load = Module._load;",
                "Module._load = function (request) {",
                "  const m = load.apply(this, arguments);",
                "  if (request !== '@sigstore/tuf') return m;",
                "  return Object.assign({}, m, { initTUF: async () => ({ getTarget: async () => {",
                "    const e = new Error('no TUF target (Sigstore is not reachable from the test machine)');",
                "    e.code = 'TUF_FIND_TARGET_ERROR';",
                "    throw e;",
                "  } }) });",
                "};",
                ""));
        return js.toString();
    }

    @Test
    void keysAreRelayedByteForByteWithOrWithoutATrailingSlash() throws Exception {
        byte[] upstream = RegistrySigningKey.keysDocument();
        assertArrayEquals(upstream, rig.get(rig.npmRegistry() + "-/npm/v1/keys", null).body());
        assertArrayEquals(upstream, rig.get(rig.npmRegistry() + "-/npm/v1/keys/", null).body());
    }

    @Test
    void signaturesAndIntegrityPassThroughUnchangedInBothPackumentForms() throws Exception {
        NpmFixtures.NpmVersion v = rig.upstream().npm(NpmFixtures.PLAIN, "1.1.0");
        for (String accept : new String[]{"application/json", FakeRegistry.NPM_ABBREVIATED}) {
            JsonNode dist = JSON.readTree(rig.get(rig.npmRegistry() + NpmFixtures.PLAIN, accept).body())
                    .path("versions").path("1.1.0").path("dist");
            assertEquals(v.integrity(), dist.path("integrity").asText(), accept);
            assertEquals(RegistrySigningKey.KEY_ID, dist.path("signatures").get(0).path("keyid").asText(), accept);
            assertTrue(dist.path("signatures").get(0).path("sig").asText().length() > 60, accept);
        }
    }

    @Test
    void attestationsOfAServedVersionAreRelayedUnderTheNpmBaseAndAtTheRoot() throws Exception {
        String spec = NpmFixtures.PLAIN + "@1.1.0";
        HttpResponse<byte[]> r = rig.get(rig.npmRegistry() + "-/npm/v1/attestations/" + spec, null);
        assertEquals(200, r.statusCode(), new String(r.body()));
        assertArrayEquals(FakeRegistry.attestationsOf(spec), r.body());
        assertArrayEquals(FakeRegistry.attestationsOf(spec), rig.get(rig.base() + "-/npm/v1/attestations/" + spec, null).body());
        assertEquals(404, rig.get(rig.npmRegistry() + "-/npm/v1/attestations/" + NpmFixtures.PLAIN + "@9.9.9", null).statusCode());
    }

    @Test
    void attestationsOfARefusedVersionAreRefusedWithTheReason() throws Exception {
        HttpResponse<byte[]> r = rig.get(rig.npmRegistry() + "-/npm/v1/attestations/@airlock-e2e%2fscoped@1.0.0", null);
        assertEquals(403, r.statusCode());
        assertTrue(r.headers().firstValue("X-Airlock-Reason").orElse("").startsWith(TestGate.CODE), r.headers().map().toString());
        assertTrue(rig.upstream().requests().stream().noneMatch(q -> q.contains("/attestations/@airlock-e2e")),
                "nothing of a refused version is fetched: " + rig.upstream().requests());
    }
}

package dev.airlock.proxy.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.policy.VerdictGate;
import dev.airlock.proxy.tls.TestCa;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An https upstream signed by a private CA: refused until {@code upstream.caFile} names that CA. */
class UpstreamCaThroughAirlockTest {
    @Test
    void anUpstreamSignedByATestCaIsAcceptedWithCaFileAndRefusedWithout(@TempDir Path dir) throws Exception {
        TestCa ca = TestCa.create("Private Mirror CA");
        Path caPem = ca.writeCaPem(dir.resolve("mirror-ca.pem"));
        TestCa.Leaf leaf = ca.issue(dir, "mirror", "localhost");
        String packument = NpmFixtures.PLAIN;
        try (AirlockRig without = AirlockRig.start(FakeRegistry.startHttps(ca.serverContext(leaf), "localhost"),
                Files.createDirectories(dir.resolve("without")), VerdictGate.allowAll())) {
            HttpResponse<byte[]> r = without.get(without.npmRegistry() + packument, null);
            assertEquals(502, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
            String body = new String(r.body(), StandardCharsets.UTF_8);
            assertTrue(body.contains("SSLHandshakeException") || body.toLowerCase().contains("certif"),
                    "the error names the TLS failure: " + body);
        }
        try (AirlockRig with = AirlockRig.start(FakeRegistry.startHttps(ca.serverContext(leaf), "localhost"),
                Files.createDirectories(dir.resolve("with")), VerdictGate.allowAll(),
                "--upstream.ca-file", caPem.toString())) {
            HttpResponse<byte[]> r = with.get(with.npmRegistry() + packument, null);
            assertEquals(200, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
            assertTrue(new String(r.body(), StandardCharsets.UTF_8).contains("\"" + packument + "\""));
        }
    }
}

package dev.airlock.proxy.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.policy.VerdictGate;
import dev.airlock.proxy.tls.ConnectProxy;
import dev.airlock.proxy.tls.TestCa;
import dev.airlock.testing.Requirements;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Map;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A corporate network end to end: the real npm and pip reach Airlock over TLS (a test CA given to
 * them as npm {@code cafile} and pip {@code --cert}); Airlock reaches an https upstream whose host
 * name resolves only inside a CONNECT proxy started here, and trusts the upstream's test CA through
 * {@code upstream.caFile}.
 */
class TlsAndProxyThroughAirlockTest {
    private static final String UPSTREAM_HOST = "registry.airlock.test";
    @TempDir
    static Path dir;
    static TestCa airlockCa;
    static TestCa upstreamCa;
    static Path airlockCaPem;
    static Path upstreamCaPem;
    static TestCa.Leaf airlockLeaf;
    static ConnectProxy proxy;
    static AirlockRig rig;

    @BeforeAll
    static void start() throws Exception {
        airlockCa = TestCa.create("Airlock Test CA");
        upstreamCa = TestCa.create("Upstream Test CA");
        airlockCaPem = airlockCa.writeCaPem(dir.resolve("airlock-ca.pem"));
        upstreamCaPem = upstreamCa.writeCaPem(dir.resolve("upstream-ca.pem"));
        airlockLeaf = airlockCa.issue(dir, "airlock", "localhost", "127.0.0.1");
        TestCa.Leaf upstreamLeaf = upstreamCa.issue(dir, "upstream", UPSTREAM_HOST);
        proxy = ConnectProxy.start(Map.of(UPSTREAM_HOST, "127.0.0.1"));
        FakeRegistry upstream = FakeRegistry.startHttps(upstreamCa.serverContext(upstreamLeaf), UPSTREAM_HOST);
        rig = AirlockRig.start(upstream, Files.createDirectories(dir.resolve("data")), VerdictGate.allowAll(),
                "--tls-cert", airlockLeaf.certFile().toString(), "--tls-key", airlockLeaf.keyFile().toString(),
                "--server.tls.reload-interval", "200ms",
                "--upstream.proxy", proxy.url(), "--upstream.ca-file", upstreamCaPem.toString());
    }

    @AfterAll
    static void stop() throws Exception {
        if (rig != null) {
            rig.close();
        }
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    void npmInstallsOverTlsWithTheTestCaAsCafileAndTheUpstreamIsReachedThroughTheProxy(@TempDir Path work)
            throws Exception {
        Requirements.require(Clients.npm().isPresent(), "npm");
        assertTrue(rig.npmRegistry().startsWith("https://127.0.0.1:"), rig.npmRegistry());
        int tunnelsBefore = proxy.tunnels().size();
        NpmProject project = NpmProject.create(work);

        ClientProcess.Result r = project.npm(rig.npmRegistry(), "install", NpmFixtures.PLAIN,
                "--cafile", airlockCaPem.toString());

        assertTrue(r.succeeded(), r::describe);
        assertEquals("1.1.0", project.installedVersion(NpmFixtures.PLAIN));
        String resolved = project.packageLock().path("packages").path("node_modules/" + NpmFixtures.PLAIN)
                .path("resolved").asText();
        assertTrue(resolved.startsWith(rig.npmRegistry()), "the tarball came from Airlock over https: " + resolved);
        int port = URI.create(rig.upstream().base()).getPort();
        assertTrue(proxy.tunnels().size() > tunnelsBefore && proxy.tunnels().stream()
                        .allMatch(t -> t.equals(UPSTREAM_HOST + ":" + port)),
                "Airlock reached the upstream through the CONNECT proxy: " + proxy.tunnels());
    }

    @Test
    void npmRefusesAirlockWithoutTheTestCa(@TempDir Path work) throws Exception {
        Requirements.require(Clients.npm().isPresent(), "npm");
        NpmProject project = NpmProject.create(work);

        ClientProcess.Result r = project.npm(rig.npmRegistry(), "install", NpmFixtures.PLAIN);

        assertNotEquals(0, r.exitCode(), r::describe);
        assertTrue(r.output().contains("certificate") || r.output().contains("CERT"),
                "npm says the certificate is not trusted:\n" + r.output());
    }

    @Test
    void pipInstallsOverTlsWithTheTestCaAsCert(@TempDir Path work) throws Exception {
        Requirements.require(Clients.python().isPresent(), "python3 with venv and ensurepip");
        Venv venv = Venv.create(Clients.python().get(), work);

        ClientProcess.Result r = venv.pipInstall(rig.pypiIndex(), "--cert", airlockCaPem.toString(),
                PythonFixtures.PROJECT);

        assertTrue(r.succeeded(), r::describe);
        assertEquals("1.1.0", venv.eval("import airlock_demo; print(airlock_demo.__version__)"));
        assertTrue(r.output().contains(rig.base()), "pip downloaded from Airlock over https:\n" + r.output());
    }

    @Test
    void aRenewedCertificateIsPresentedToNewConnectionsWithoutARestart() throws Exception {
        BigInteger before = presentedSerial();
        assertEquals(airlockLeaf.serial(), before);
        // Written to a side file and moved in, as certificate tools do, so no check sees half a file.
        TestCa.Leaf renewed = airlockCa.issue(dir, "renewed", "localhost", "127.0.0.1");
        Files.move(renewed.keyFile(), airlockLeaf.keyFile(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.move(renewed.certFile(), airlockLeaf.certFile(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        BigInteger now = before;
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (!now.equals(renewed.serial()) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            now = presentedSerial();
        }

        assertEquals(renewed.serial(), now, "a new connection is shown the renewed certificate");
        assertEquals(200, rig.get(rig.base() + "healthz", null, airlockCa).statusCode(),
                "and requests keep being served");
    }

    private static BigInteger presentedSerial() throws Exception {
        int port = URI.create(rig.base()).getPort();
        try (SSLSocket s = (SSLSocket) airlockCa.clientContext().getSocketFactory().createSocket("127.0.0.1", port)) {
            s.startHandshake();
            return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber();
        }
    }
}

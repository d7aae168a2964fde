package dev.airlock.proxy.e2e;

import dev.airlock.config.AirlockConfig;
import dev.airlock.config.ConfigLoader;
import dev.airlock.policy.VerdictGate;
import dev.airlock.proxy.Airlock;
import dev.airlock.proxy.GateOnly;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The system under test for one test class: a fake upstream registry on loopback and a real
 * in-process Airlock in front of it, configured through the same flags {@code airlock serve} takes.
 */
final class AirlockRig implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    private final FakeRegistry upstream;
    private final Airlock airlock;
    private final Path dataDir;

    private AirlockRig(FakeRegistry upstream, Airlock airlock, Path dataDir) {
        this.upstream = upstream;
        this.airlock = airlock;
        this.dataDir = dataDir;
    }

    static AirlockRig start(Path dataDir) throws IOException, InterruptedException {
        return start(dataDir, VerdictGate.allowAll());
    }

    /** Airlock with this gate deciding every listed version and every download. */
    static AirlockRig start(Path dataDir, VerdictGate gate, String... extraFlags)
            throws IOException, InterruptedException {
        return start(FakeRegistry.start(), dataDir, gate, extraFlags);
    }

    /** Airlock in front of this upstream (closed with the rig), e.g. one reached over TLS through a proxy. */
    static AirlockRig start(FakeRegistry upstream, Path dataDir, VerdictGate gate, String... extraFlags)
            throws IOException, InterruptedException {
        try {
            List<String> flags = new java.util.ArrayList<>(List.of(
                    "--port", "0", "--bind", "127.0.0.1", "--data-dir", dataDir.toString(),
                    "--npm-upstream", upstream.npmBase(), "--pypi-upstream", upstream.pypiSimple(),
                    "--pypi-file-hosts", URI.create(upstream.base()).getHost()));
            flags.addAll(List.of(extraFlags));
            AirlockConfig config = ConfigLoader.load(flags.toArray(String[]::new), Map.of()).config();
            return new AirlockRig(upstream, Airlock.start(config, GateOnly.of(gate)), dataDir);
        } catch (IOException | InterruptedException | RuntimeException e) {
            upstream.close();
            throw e;
        }
    }

    FakeRegistry upstream() {
        return upstream;
    }

    Path dataDir() {
        return dataDir;
    }

    /** {@code http://127.0.0.1:<port>/}. */
    String base() {
        return airlock.localUrl().toString();
    }

    String pypiIndex() {
        return base() + "pypi/simple/";
    }

    String npmRegistry() {
        return base() + "npm/";
    }

    HttpResponse<byte[]> get(String url, String accept) throws IOException, InterruptedException {
        return get(url, accept, HTTP);
    }

    /** GET over Airlock's own TLS, trusting only this CA. */
    HttpResponse<byte[]> get(String url, String accept, dev.airlock.proxy.tls.TestCa ca)
            throws IOException, InterruptedException {
        try {
            return get(url, accept, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                    .sslContext(ca.clientContext()).build());
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    private HttpResponse<byte[]> get(String url, String accept, HttpClient http) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET();
        if (accept != null) {
            b.header("Accept", accept);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** Every file under the data dir whose content has this sha256: where the store may have put it. */
    List<Path> filesWithSha256(String sha256) throws IOException {
        try (Stream<Path> s = Files.walk(dataDir)) {
            return s.filter(Files::isRegularFile).filter(p -> {
                try {
                    return Digests.sha256Hex(p).equals(sha256);
                } catch (IOException e) {
                    return false;
                }
            }).toList();
        }
    }

    @Override
    public void close() {
        try {
            airlock.close();
        } finally {
            upstream.close();
        }
    }
}

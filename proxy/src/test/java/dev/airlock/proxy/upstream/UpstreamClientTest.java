package dev.airlock.proxy.upstream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.config.UpstreamConfig;
import dev.airlock.proxy.store.ArtifactStore;
import dev.airlock.proxy.store.ExpectedDigest;
import dev.airlock.proxy.store.StoredArtifact;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UpstreamClientTest {
    private static final Duration IDLE = Duration.ofMillis(600);
    private static final byte[] BODY = body(64 * 1024);

    @TempDir
    Path dir;
    private final ExecutorService callers = Executors.newFixedThreadPool(8);

    @AfterEach
    void stop() {
        callers.shutdownNow();
    }

    private static byte[] body(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + 7);
        }
        return b;
    }

    private static UpstreamConfig config(int retries, int perHost) {
        return new UpstreamConfig(Duration.ofSeconds(2), Duration.ofSeconds(5), retries, null, null, 64, null,
                IDLE, perHost, null);
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    private static void halfThenStall(int n, java.net.Socket s, java.io.OutputStream out) throws Exception {
        LoopbackUpstream.head(out, 200, BODY.length);
        out.write(BODY, 0, BODY.length / 2);
        out.flush();
        Thread.sleep(20_000);
    }

    @Test
    void itsHealthNamesTheLastAnswerAndTheLastFailureWithItsMessage() throws Exception {
        LoopbackUpstream.Script whole = (n, s, out) -> {
            LoopbackUpstream.head(out, 200, BODY.length);
            out.write(BODY);
            out.flush();
        };
        UpstreamClient client = new UpstreamClient("test", config(0, 8), callers);
        assertEquals(new UpstreamHealth("test", "closed", null, null, null), client.health());
        try (LoopbackUpstream up = new LoopbackUpstream(whole)) {
            client.download(up.uri("/a.tgz"), ByteArrayOutputStream::new);
        }
        UpstreamHealth ok = client.health();
        assertTrue(ok.lastSuccessAt() != null && ok.lastError() == null, ok.toString());
        try (LoopbackUpstream up = new LoopbackUpstream(UpstreamClientTest::halfThenStall)) {
            assertThrows(UpstreamException.class, () -> client.download(up.uri("/b.tgz"), ByteArrayOutputStream::new));
        }
        UpstreamHealth failed = client.health();
        assertTrue(failed.lastError() != null && !failed.lastError().isBlank(), failed.toString());
        assertTrue(failed.lastErrorAt() != null && !failed.lastErrorAt().isBefore(ok.lastSuccessAt()), failed.toString());
        assertEquals(ok.lastSuccessAt(), failed.lastSuccessAt());
    }

    @Test
    void aBodyThatStallsHalfWayEndsInA504WithinTheIdleTimeoutAndIsNotRetried() throws Exception {
        try (LoopbackUpstream up = new LoopbackUpstream(UpstreamClientTest::halfThenStall)) {
            UpstreamClient client = new UpstreamClient("test", config(2, 8), callers);
            ByteArrayOutputStream sink = new ByteArrayOutputStream();
            long start = System.nanoTime();
            UpstreamException e = assertThrows(UpstreamException.class, () -> client.download(up.uri("/a.tgz"), () -> sink));
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertEquals(504, e.status(), e.getMessage());
            assertTrue(took.compareTo(IDLE.multipliedBy(4)) < 0, "took " + took);
            assertEquals(1, up.requests());
            assertEquals(BODY.length / 2, sink.size());
        }
    }

    @Test
    void aMetadataBodyThatStallsEndsInAnErrorInsteadOfHoldingTheCaller() throws Exception {
        try (LoopbackUpstream up = new LoopbackUpstream(UpstreamClientTest::halfThenStall)) {
            UpstreamClient client = new UpstreamClient("test", config(0, 8), callers);
            long start = System.nanoTime();
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> client.get(up.uri("/simple/demo/"), Map.of()).get(10, TimeUnit.SECONDS));
            assertEquals(504, assertInstanceOf(UpstreamException.class, e.getCause()).status());
            assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(IDLE.multipliedBy(4)) < 0);
        }
    }

    @Test
    void aResetMidBodyIsAnUpstreamErrorNotAnIntegrityMismatchAndNothingIsStored() throws Exception {
        LoopbackUpstream.Script resetHalfWay = (n, s, out) -> {
            LoopbackUpstream.head(out, 200, BODY.length);
            out.write(BODY, 0, BODY.length / 2);
            out.flush();
            s.setSoLinger(true, 0);
        };
        try (LoopbackUpstream up = new LoopbackUpstream(resetHalfWay)) {
            UpstreamClient client = new UpstreamClient("test", config(2, 8), callers);
            ArtifactStore store = new ArtifactStore(dir);
            URI uri = up.uri("/demo-1.0.tgz");
            CompletableFuture<StoredArtifact> f = store.getOrFetch("k", ExpectedDigest.sha256Hex(sha256(BODY)),
                    opener -> client.download(uri, opener::open) == 200, callers);
            ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
            UpstreamException u = assertInstanceOf(UpstreamException.class, e.getCause());
            assertEquals(502, u.status(), u.getMessage());
            assertEquals(1, up.requests());
            assertTrue(store.lookup("k").isEmpty());
            try (Stream<Path> files = Files.walk(dir.resolve("artifacts"))) {
                assertEquals(List.of(), files.filter(Files::isRegularFile).toList());
            }
        }
    }

    @Test
    void a5xxBeforeTheBodyIsRetriedAndTheBytesStillVerify() throws Exception {
        LoopbackUpstream.Script twoFailuresThenBody = (n, s, out) -> {
            if (n < 2) {
                LoopbackUpstream.head(out, 503, 0);
                return;
            }
            LoopbackUpstream.head(out, 200, BODY.length);
            out.write(BODY);
            out.flush();
        };
        try (LoopbackUpstream up = new LoopbackUpstream(twoFailuresThenBody)) {
            UpstreamClient client = new UpstreamClient("test", config(2, 8), callers);
            ArtifactStore store = new ArtifactStore(dir);
            URI uri = up.uri("/demo-1.0.tgz");
            StoredArtifact a = store.getOrFetch("k", ExpectedDigest.sha256Hex(sha256(BODY)),
                    opener -> client.download(uri, opener::open) == 200, callers).get(10, TimeUnit.SECONDS);
            assertEquals(3, up.requests());
            assertArrayEquals(BODY, Files.readAllBytes(a.path()));
        }
    }

    @Test
    void noMoreConnectionsThanTheLimitAreOpenToOneHost() throws Exception {
        LoopbackUpstream.Script slow = (n, s, out) -> {
            Thread.sleep(300);
            LoopbackUpstream.head(out, 200, BODY.length);
            out.write(BODY);
            out.flush();
        };
        try (LoopbackUpstream up = new LoopbackUpstream(slow)) {
            UpstreamClient client = new UpstreamClient("test", config(0, 2), callers);
            List<CompletableFuture<Integer>> calls = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                URI uri = up.uri("/f" + i + ".tgz");
                calls.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return client.download(uri, ByteArrayOutputStream::new);
                    } catch (Exception e) {
                        throw new java.util.concurrent.CompletionException(e);
                    }
                }, callers));
            }
            for (CompletableFuture<Integer> c : calls) {
                assertEquals(200, c.get(20, TimeUnit.SECONDS));
            }
            assertEquals(6, up.requests());
            assertEquals(2, up.maxOpenConnections());
        }
    }

    @Test
    void aSingleCallerThreadIsEnoughBecauseTheHttpClientHasItsOwnThreads() throws Exception {
        LoopbackUpstream.Script ok = (n, s, out) -> {
            LoopbackUpstream.head(out, 200, BODY.length);
            out.write(BODY);
            out.flush();
        };
        ExecutorService one = Executors.newFixedThreadPool(1);
        try (LoopbackUpstream up = new LoopbackUpstream(ok)) {
            UpstreamClient client = new UpstreamClient("test", config(0, 8), one);
            UpstreamResponse r = client.get(up.uri("/simple/demo/"), Map.of()).get(10, TimeUnit.SECONDS);
            assertEquals(200, r.status());
            assertArrayEquals(BODY, r.body());
        } finally {
            one.shutdownNow();
        }
    }

    @Test
    void aFullDiskDuringADownloadIsNeitherRetriedNorCountedAgainstTheUpstream() throws Exception {
        LoopbackUpstream.Script ok = (n, s, out) -> {
            LoopbackUpstream.head(out, 200, BODY.length);
            out.write(BODY);
            out.flush();
        };
        try (LoopbackUpstream up = new LoopbackUpstream(ok)) {
            UpstreamClient client = new UpstreamClient("test", config(2, 8), callers);
            ArtifactStore store = new ArtifactStore(dir, part -> new java.io.OutputStream() {
                @Override
                public void write(int b) throws java.io.IOException {
                    throw new java.io.IOException("No space left on device");
                }

                @Override
                public void write(byte[] b, int off, int len) throws java.io.IOException {
                    throw new java.io.IOException("No space left on device");
                }
            });
            URI uri = up.uri("/demo-1.0.tgz");
            ExecutionException e = assertThrows(ExecutionException.class, () -> store.getOrFetch("k",
                    ExpectedDigest.sha256Hex(sha256(BODY)), opener -> client.download(uri, opener::open) == 200, callers)
                    .get(10, TimeUnit.SECONDS));
            assertInstanceOf(dev.airlock.proxy.store.StorageFullException.class, e.getCause());
            assertEquals(1, up.requests());
            assertEquals(0, client.breaker().getMetrics().getNumberOfFailedCalls());
        }
    }
}

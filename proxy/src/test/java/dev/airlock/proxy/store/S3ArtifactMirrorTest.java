package dev.airlock.proxy.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.common.Hashes;
import dev.airlock.config.ArtifactsConfig;
import dev.airlock.proxy.e2e.S3Server;
import dev.airlock.testing.Requirements;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes' artifact stores (two data directories) sharing one bucket on a real S3-compatible
 * server (s3proxy): what one verified, the other takes from the bucket, still checked against the
 * published hash; a bucket that lies or is gone never decides what is served.
 */
class S3ArtifactMirrorTest {
    private static final byte[] BODY = "the published bytes of shared-1.0.tgz".getBytes(StandardCharsets.US_ASCII);
    private static final String REF = "npm|shared-1.0.0.tgz";
    private static final String BUCKET = "airlock-test";
    private static final Executor DIRECT = Runnable::run;

    @TempDir
    Path dir;
    private S3Server s3;
    private S3ArtifactMirror mirror;
    private final AtomicInteger upstreamFetches = new AtomicInteger();

    @BeforeEach
    void bucket() throws Exception {
        Requirements.require(S3Server.available(), "the s3proxy jar in target/s3proxy (mvn process-test-resources)");
        s3 = S3Server.start(dir.resolve("s3"), BUCKET);
        mirror = S3ArtifactMirror.open(config(URI.create(s3.endpoint())));
        mirror.check();
    }

    @AfterEach
    void stop() throws Exception {
        if (mirror != null) {
            mirror.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    private static ArtifactsConfig config(URI endpoint) {
        return new ArtifactsConfig("s3://" + BUCKET + "/nodes", endpoint, null, null, "test", "test-secret");
    }

    private ArtifactStore node(String name, ArtifactMirror shared) throws IOException {
        return new ArtifactStore(dir.resolve(name), Files::newOutputStream, shared);
    }

    private StoredArtifact get(ArtifactStore store) throws Exception {
        ArtifactStore.Writer upstream = opener -> {
            upstreamFetches.incrementAndGet();
            try (OutputStream os = opener.open()) {
                os.write(BODY);
            }
            return true;
        };
        return store.getOrFetch(REF, ExpectedDigest.sha256Hex(Hashes.sha256Hex(BODY)), upstream, DIRECT)
                .get(60, TimeUnit.SECONDS);
    }

    private Path blobInBucket() {
        String sha = Hashes.sha256Hex(BODY);
        return dir.resolve("s3").resolve("blobs").resolve(BUCKET).resolve("nodes").resolve("sha256")
                .resolve(sha.substring(0, 2)).resolve(sha.substring(2, 4)).resolve(sha);
    }

    @Test
    void anArtifactVerifiedOnOneNodeIsTakenFromTheBucketByTheNextWithoutAskingTheUpstream() throws Exception {
        StoredArtifact first = get(node("node-a", mirror));
        assertArrayEquals(BODY, Files.readAllBytes(blobInBucket()), "one copy in the bucket under its sha256");

        StoredArtifact second = get(node("node-b", mirror));
        assertEquals(1, upstreamFetches.get(), "the second node read the bucket, not the upstream");
        assertEquals(first.sha256(), second.sha256());
        assertTrue(second.path().startsWith(dir.resolve("node-b")), "sent from node-b's own disk cache");
        assertArrayEquals(BODY, Files.readAllBytes(second.path()));
    }

    @Test
    void bytesInTheBucketThatDoNotMatchThePublishedHashAreRefusedAndTheUpstreamServes() throws Exception {
        get(node("node-a", mirror));
        byte[] tampered = BODY.clone();
        tampered[5] ^= 1;
        Files.write(blobInBucket(), tampered);

        StoredArtifact second = get(node("node-b", mirror));
        assertEquals(2, upstreamFetches.get(), "the bucket's bytes were refused");
        assertArrayEquals(BODY, Files.readAllBytes(second.path()));
    }

    @Test
    void aBucketThatIsGoneIsASidePathTheUpstreamStillServes() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        try (S3ArtifactMirror gone = S3ArtifactMirror.open(config(URI.create("http://127.0.0.1:" + closed)))) {
            StoredArtifact a = get(node("node-c", gone));
            assertEquals(1, upstreamFetches.get());
            assertArrayEquals(BODY, Files.readAllBytes(a.path()));
            IOException atStart = assertThrows(IOException.class, gone::check,
                    "a node configured with an unreachable bucket fails at start instead");
            assertTrue(atStart.getMessage().contains(BUCKET), atStart.getMessage());
        }
    }
}

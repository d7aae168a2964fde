package dev.airlock.proxy.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArtifactStoreTest {
    private static final byte[] BODY = "the published bytes of demo-1.0.tgz".getBytes(StandardCharsets.US_ASCII);
    private static final Executor DIRECT = Runnable::run;

    @TempDir
    Path dir;
    private final AtomicInteger fetches = new AtomicInteger();

    private static ExpectedDigest expected() throws Exception {
        return ExpectedDigest.sha256Hex(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(BODY)));
    }

    private ArtifactStore.Writer upstream() {
        return opener -> {
            fetches.incrementAndGet();
            try (OutputStream os = opener.open()) {
                os.write(BODY);
            }
            return true;
        };
    }

    private StoredArtifact get(ArtifactStore store) throws Exception {
        return store.getOrFetch("pypi|demo-1.0.tgz", expected(), upstream(), DIRECT).get(5, TimeUnit.SECONDS);
    }

    @Test
    void aStoredFileCorruptedOnDiskIsNotServedAfterARestartButFetchedAgain() throws Exception {
        StoredArtifact first = get(new ArtifactStore(dir));
        byte[] corrupt = BODY.clone();
        corrupt[3] ^= 1;
        Files.write(first.path(), corrupt);

        StoredArtifact again = get(new ArtifactStore(dir));
        assertEquals(2, fetches.get());
        assertArrayEquals(BODY, Files.readAllBytes(again.path()));
    }

    @Test
    void anIntactStoredFileIsServedAfterARestartWithoutFetching() throws Exception {
        get(new ArtifactStore(dir));
        StoredArtifact again = get(new ArtifactStore(dir));
        assertEquals(1, fetches.get());
        assertEquals(BODY.length, again.size());
    }

    @Test
    void aStoredFileWhoseSizeChangedIsFetchedAgainWithoutARestart() throws Exception {
        ArtifactStore store = new ArtifactStore(dir);
        StoredArtifact first = get(store);
        Files.write(first.path(), new byte[] {1, 2, 3});
        StoredArtifact again = get(store);
        assertEquals(2, fetches.get());
        assertArrayEquals(BODY, Files.readAllBytes(again.path()));
    }

    @Test
    void aWriterThatOpensAgainIsVerifiedWithFreshDigests() throws Exception {
        ArtifactStore store = new ArtifactStore(dir);
        ArtifactStore.Writer retrying = opener -> {
            try (OutputStream os = opener.open()) {
                os.write("half of a first attem".getBytes(StandardCharsets.US_ASCII));
            }
            try (OutputStream os = opener.open()) {
                os.write(BODY);
            }
            return true;
        };
        StoredArtifact a = store.getOrFetch("k", expected(), retrying, DIRECT).get(5, TimeUnit.SECONDS);
        assertArrayEquals(BODY, Files.readAllBytes(a.path()));
    }

    @Test
    void aFullDiskFailsWithStorageFullLeavesNoTemporaryFileAndRecoversWhenSpaceReturns() throws Exception {
        AtomicBoolean full = new AtomicBoolean(true);
        ArtifactStore store = new ArtifactStore(dir, part -> new FilterOutputStream(Files.newOutputStream(part)) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (full.get()) {
                    // What FileOutputStream throws on Linux for ENOSPC.
                    throw new IOException("No space left on device");
                }
                out.write(b, off, len);
            }
        });
        ExecutionException e = assertThrows(ExecutionException.class, () -> get(store));
        StorageFullException s = assertInstanceOf(StorageFullException.class, e.getCause());
        assertTrue(s.getMessage().contains("data disk is full"), s.getMessage());
        try (Stream<Path> files = Files.walk(dir.resolve("artifacts"))) {
            assertEquals(List.of(), files.filter(Files::isRegularFile).toList());
        }

        full.set(false);
        assertArrayEquals(BODY, Files.readAllBytes(get(store).path()));
    }
}

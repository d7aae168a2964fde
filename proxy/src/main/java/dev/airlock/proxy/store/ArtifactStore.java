package dev.airlock.proxy.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.regex.Pattern;

/**
 * Content-addressed artifact storage under {@code <data>/artifacts/sha256/ab/cd/<hex>}, plus
 * refs that map an upstream file (by a stable key such as its URL) to its digest.
 *
 * <p>Bytes are written to a temporary file while all needed digests are computed in one pass,
 * verified against the published hash, and only then moved into place atomically. A crash leaves
 * at most a temporary file, which the next start removes. Concurrent requests for the same
 * uncached artifact share one fetch.
 */
public final class ArtifactStore {
    private static final Pattern HEX64 = Pattern.compile("^[0-9a-f]{64}$");
    private final Path root;
    private final Path tmp;
    private final Path refs;
    private final ConcurrentMap<String, CompletableFuture<StoredArtifact>> inFlight = new ConcurrentHashMap<>();
    private volatile java.util.function.BiConsumer<String, Boolean> observer = (key, hit) -> { };
    private final Cache<String, StoredArtifact> refCache = Caffeine.newBuilder().maximumSize(100_000).build();

    public ArtifactStore(Path dataDir) throws IOException {
        this.root = dataDir.resolve("artifacts").resolve("sha256");
        this.tmp = dataDir.resolve("artifacts").resolve("tmp");
        this.refs = dataDir.resolve("artifacts").resolve("refs");
        Files.createDirectories(root);
        Files.createDirectories(refs);
        Files.createDirectories(tmp);
        // Temporary files belong to downloads of a previous process: they were never verified.
        try (var s = Files.list(tmp)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Writes artifact bytes. The callback gets an output stream only when the upstream answered 200. */
    @FunctionalInterface
    public interface Writer {
        /** @return true when bytes were written (the upstream had the file), false for "not found" */
        boolean writeTo(OutputStreamOpener opener) throws Exception;
    }

    @FunctionalInterface
    public interface OutputStreamOpener {
        OutputStream open() throws IOException;
    }

    /** Told (ref key, true) when a request is served from the store, (ref key, false) when it must be fetched. */
    public void observe(java.util.function.BiConsumer<String, Boolean> keyAndHit) {
        this.observer = keyAndHit;
    }

    private void count(String key, boolean hit) {
        try {
            observer.accept(key, hit);
        } catch (RuntimeException e) {
            // Metrics are a side path.
        }
    }

    /** The stored artifact behind a ref, when present and intact. */
    public Optional<StoredArtifact> lookup(String refKey) {
        StoredArtifact cached = refCache.getIfPresent(refKey);
        if (cached != null && Files.isRegularFile(cached.path())) {
            return Optional.of(cached);
        }
        Path ref = refPath(refKey);
        try {
            if (!Files.isRegularFile(ref)) {
                return Optional.empty();
            }
            String sha = Files.readString(ref, StandardCharsets.US_ASCII).trim();
            if (!HEX64.matcher(sha).matches()) {
                Files.deleteIfExists(ref); // a torn ref is worth one refetch, never a wrong file
                return Optional.empty();
            }
            Path p = blobPath(sha);
            if (!Files.isRegularFile(p)) {
                return Optional.empty();
            }
            StoredArtifact a = new StoredArtifact(p, sha, Files.size(p));
            refCache.put(refKey, a);
            return Optional.of(a);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * Returns the stored artifact for {@code refKey}, fetching it once with {@code writer} when it
     * is missing. Completes exceptionally with {@link DigestMismatchException} when the bytes do not
     * match {@code expected}, or {@link java.io.FileNotFoundException} when the upstream has no such file.
     */
    public CompletableFuture<StoredArtifact> getOrFetch(String refKey, ExpectedDigest expected, Writer writer,
                                                        java.util.concurrent.Executor executor) {
        Optional<StoredArtifact> present = lookup(refKey);
        count(refKey, present.isPresent());
        if (present.isPresent()) {
            return CompletableFuture.completedFuture(present.get());
        }
        CompletableFuture<StoredArtifact> mine = new CompletableFuture<>();
        CompletableFuture<StoredArtifact> existing = inFlight.putIfAbsent(refKey, mine);
        if (existing != null) {
            return existing;
        }
        executor.execute(() -> {
            try {
                mine.complete(fetch(refKey, expected, writer));
            } catch (Throwable t) {
                mine.completeExceptionally(t);
            } finally {
                inFlight.remove(refKey, mine);
            }
        });
        return mine;
    }

    private StoredArtifact fetch(String refKey, ExpectedDigest expected, Writer writer) throws Exception {
        Path part = Files.createTempFile(tmp, "dl-", ".part");
        try {
            // Each open starts the file and the digests afresh: a writer that opens again after a
            // failed attempt must not verify the new bytes with digests that saw the old ones.
            java.util.concurrent.atomic.AtomicReference<Digests> last = new java.util.concurrent.atomic.AtomicReference<>();
            boolean found = writer.writeTo(() -> {
                Digests d = new Digests(digest("SHA-256"),
                        expected.algorithm().equals("SHA-256") ? null : digest(expected.algorithm()));
                last.set(d);
                OutputStream os = new DigestOutputStream(Files.newOutputStream(part), d.sha256());
                return d.check() == null ? os : new DigestOutputStream(os, d.check());
            });
            if (!found) {
                throw new java.io.FileNotFoundException("upstream has no such file");
            }
            Digests d = last.get();
            if (d == null) {
                throw new IOException("the writer reported a file but never opened the store");
            }
            byte[] shaBytes = d.sha256().digest();
            byte[] actual = d.check() == null ? shaBytes : d.check().digest();
            if (!MessageDigest.isEqual(actual, expected.value())) {
                throw new DigestMismatchException("upstream bytes do not match the published "
                        + expected.algorithm().toLowerCase(java.util.Locale.ROOT)
                        + " (expected " + HexFormat.of().formatHex(expected.value()).substring(0, 16)
                        + "..., got " + HexFormat.of().formatHex(actual).substring(0, 16) + "...)");
            }
            String hex = HexFormat.of().formatHex(shaBytes);
            Path blob = blobPath(hex);
            Files.createDirectories(blob.getParent());
            if (!Files.exists(blob)) {
                move(part, blob);
            }
            writeRef(refKey, hex);
            StoredArtifact a = new StoredArtifact(blob, hex, Files.size(blob));
            refCache.put(refKey, a);
            return a;
        } finally {
            Files.deleteIfExists(part);
        }
    }

    /** The digests of one write attempt; {@code check} is null when the expected hash is sha256 itself. */
    private record Digests(MessageDigest sha256, MessageDigest check) {
    }

    private void writeRef(String refKey, String hex) throws IOException {
        Path ref = refPath(refKey);
        Files.createDirectories(ref.getParent());
        Path t = Files.createTempFile(tmp, "ref-", ".part");
        Files.writeString(t, hex + "\n", StandardCharsets.US_ASCII);
        move(t, ref);
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    public Path blobPath(String sha256Hex) {
        if (!HEX64.matcher(sha256Hex).matches()) {
            throw new IllegalArgumentException("not a sha256: " + sha256Hex);
        }
        return root.resolve(sha256Hex.substring(0, 2)).resolve(sha256Hex.substring(2, 4)).resolve(sha256Hex);
    }

    private Path refPath(String refKey) {
        String h = HexFormat.of().formatHex(digest("SHA-256").digest(refKey.getBytes(StandardCharsets.UTF_8)));
        return refs.resolve(h.substring(0, 2)).resolve(h);
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("JDK lacks " + algorithm, e);
        }
    }
}

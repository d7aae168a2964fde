package dev.airlock.proxy.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.airlock.common.Hashes;
import dev.airlock.common.SingleFlight;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Content-addressed artifact storage under {@code <data>/artifacts/sha256/ab/cd/<hex>}, plus
 * refs that map an upstream file (by a stable key such as its URL) to its digest and size.
 *
 * <p>Bytes are written to a temporary file while all needed digests are computed in one pass,
 * verified against the published hash, flushed to the disk ({@code fsync}) and only then moved
 * into place atomically, so a power cut leaves either the whole verified file or none. A crash
 * leaves at most a temporary file, which the next start removes. Concurrent requests for the same
 * uncached artifact share one fetch.
 *
 * <p>A stored file is trusted only as far as it was checked: each serve compares its size with
 * the size recorded in its ref, and the first serve in a process (after a restart) hashes it again.
 * A file that fails either check is deleted and fetched again, never served.
 *
 * <p>With a shared {@link ArtifactMirror} (S3, several nodes) this store is the node's cache: a
 * miss asks the mirror first and verifies its bytes like upstream ones; an artifact fetched from
 * the upstream is written to the mirror once verified here. The mirror is a side path: when it
 * fails, the upstream and the local copy still serve.
 */
public final class ArtifactStore {
    private static final Logger LOG = LoggerFactory.getLogger(ArtifactStore.class);
    private static final Pattern HEX64 = Pattern.compile("^[0-9a-f]{64}$");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");
    private final Path root;
    private final Path tmp;
    private final Path refs;
    private final FileOpener files;
    private final ArtifactMirror mirror;
    private final SingleFlight<String, StoredArtifact> inFlight = new SingleFlight<>();
    private volatile java.util.function.BiConsumer<String, Boolean> observer = (key, hit) -> { };
    /** Artifacts whose bytes were written or re-hashed by this process. */
    private final Cache<String, StoredArtifact> verified = Caffeine.newBuilder().maximumSize(100_000).build();

    /** Opens the temporary file an artifact is written to (a seam for tests that fill the disk). */
    @FunctionalInterface
    public interface FileOpener {
        OutputStream open(Path part) throws IOException;
    }

    public ArtifactStore(Path dataDir) throws IOException {
        this(dataDir, Files::newOutputStream);
    }

    public ArtifactStore(Path dataDir, FileOpener files) throws IOException {
        this(dataDir, files, null);
    }

    /** With a shared mirror ({@code null}: none). */
    public ArtifactStore(Path dataDir, FileOpener files, ArtifactMirror mirror) throws IOException {
        this.mirror = mirror;
        this.root = dataDir.resolve("artifacts").resolve("sha256");
        this.tmp = dataDir.resolve("artifacts").resolve("tmp");
        this.refs = dataDir.resolve("artifacts").resolve("refs");
        this.files = files;
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

    /**
     * The stored artifact behind a ref, when present and intact. Reads the disk and, for an artifact
     * not yet checked by this process, hashes it: call it off the event loop.
     */
    public Optional<StoredArtifact> lookup(String refKey) {
        StoredArtifact known = verified.getIfPresent(refKey);
        if (known != null) {
            if (sizeMatches(known)) {
                return Optional.of(known);
            }
            verified.invalidate(refKey);
        }
        Path ref = refPath(refKey);
        try {
            if (!Files.isRegularFile(ref)) {
                return Optional.empty();
            }
            String[] parts = WHITESPACE.split(Files.readString(ref, StandardCharsets.US_ASCII).trim());
            String sha = parts[0];
            if (!HEX64.matcher(sha).matches()) {
                Files.deleteIfExists(ref); // a torn ref is worth one refetch, never a wrong file
                return Optional.empty();
            }
            Path p = blobPath(sha);
            if (!Files.isRegularFile(p)) {
                return Optional.empty();
            }
            // Refs written before sizes were recorded hold only the digest; the hash check below still applies.
            long size = parts.length > 1 ? Long.parseLong(parts[1]) : Files.size(p);
            StoredArtifact a = new StoredArtifact(p, sha, size);
            if (!sizeMatches(a) || !sha.equals(Hashes.sha256Hex(p))) {
                LOG.warn("stored artifact {} is corrupt (size or sha256 changed on disk); deleting it to fetch again", p);
                Files.deleteIfExists(p);
                Files.deleteIfExists(ref);
                return Optional.empty();
            }
            verified.put(refKey, a);
            return Optional.of(a);
        } catch (IOException | NumberFormatException e) {
            LOG.warn("cannot read stored artifact for {}: {}", refKey, e.toString());
            return Optional.empty();
        }
    }

    private static boolean sizeMatches(StoredArtifact a) {
        try {
            return Files.size(a.path()) == a.size();
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Returns the stored artifact for {@code refKey}, fetching it once with {@code writer} when it
     * is missing or corrupt. Completes exceptionally with {@link DigestMismatchException} when the
     * bytes do not match {@code expected}, {@link FileNotFoundException} when the upstream has no
     * such file, or {@link StorageFullException} when the data disk is full.
     *
     * <p>Only an artifact already checked by this process is answered on the calling thread (one
     * {@code stat}); everything else, including the re-hash after a restart, runs on {@code executor}.
     */
    public CompletableFuture<StoredArtifact> getOrFetch(String refKey, ExpectedDigest expected, Writer writer,
                                                        Executor executor) {
        StoredArtifact known = verified.getIfPresent(refKey);
        if (known != null && sizeMatches(known)) {
            count(refKey, true);
            return CompletableFuture.completedFuture(known);
        }
        return inFlight.run(refKey, executor, () -> {
            Optional<StoredArtifact> present = lookup(refKey);
            count(refKey, present.isPresent());
            return present.isPresent() ? present.get() : fetch(refKey, expected, writer);
        });
    }

    private StoredArtifact fetch(String refKey, ExpectedDigest expected, Writer writer) throws Exception {
        Path part = null;
        try {
            part = Files.createTempFile(tmp, "dl-", ".part");
            if (mirror != null) {
                StoredArtifact shared = fromMirror(refKey, expected, part);
                if (shared != null) {
                    return shared;
                }
            }
            StoredArtifact a = store(refKey, expected, writer, part);
            toMirror(refKey, a);
            return a;
        } catch (IOException e) {
            throw StorageFullException.isDiskFull(e) && !(e instanceof StorageFullException)
                    ? new StorageFullException("Airlock's data disk is full: cannot store the artifact ("
                            + e.getMessage() + ")", e)
                    : e;
        } finally {
            if (part != null) {
                Files.deleteIfExists(part);
            }
        }
    }

    /** The artifact from the shared mirror, verified like upstream bytes; null when it has none or gives bad bytes. */
    private StoredArtifact fromMirror(String refKey, ExpectedDigest expected, Path part) throws Exception {
        try {
            Optional<ArtifactMirror.Ref> ref = mirror.ref(refKey);
            if (ref.isEmpty()) {
                return null;
            }
            return store(refKey, expected, opener -> {
                try (OutputStream out = opener.open()) {
                    return mirror.copy(ref.get().sha256(), out);
                }
            }, part);
        } catch (FileNotFoundException e) {
            return null;
        } catch (DigestMismatchException e) {
            LOG.warn("the shared artifact store gave bytes for {} that do not match the published hash; fetching from "
                    + "the upstream instead: {}", refKey, e.getMessage());
            return null;
        } catch (StorageFullException e) {
            throw e;
        } catch (IOException e) {
            LOG.warn("the shared artifact store failed for {}; fetching from the upstream instead: {}", refKey, e.getMessage());
            return null;
        }
    }

    private void toMirror(String refKey, StoredArtifact a) {
        if (mirror == null) {
            return;
        }
        try {
            mirror.put(refKey, a.sha256(), a.size(), a.path());
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not copy {} to the shared artifact store (served from here; other nodes fetch it "
                    + "themselves): {}", refKey, e.getMessage());
        }
    }

    private StoredArtifact store(String refKey, ExpectedDigest expected, Writer writer, Path part) throws Exception {
        // Each open starts the file and the digests afresh: a writer that opens again after a
        // failed attempt must not verify the new bytes with digests that saw the old ones.
        AtomicReference<Digests> last = new AtomicReference<>();
        boolean found = writer.writeTo(() -> {
            Digests d = new Digests(Hashes.sha256(),
                    expected.algorithm().equals("SHA-256") ? null : Hashes.digest(expected.algorithm()));
            last.set(d);
            OutputStream os = new DigestOutputStream(new DiskFullAwareStream(files.open(part)), d.sha256());
            return d.check() == null ? os : new DigestOutputStream(os, d.check());
        });
        if (!found) {
            throw new FileNotFoundException("upstream has no such file");
        }
        Digests d = last.get();
        if (d == null) {
            throw new IOException("the writer reported a file but never opened the store");
        }
        byte[] shaBytes = d.sha256().digest();
        byte[] actual = d.check() == null ? shaBytes : d.check().digest();
        if (!MessageDigest.isEqual(actual, expected.value())) {
            throw new DigestMismatchException("upstream bytes do not match the published "
                    + expected.algorithm().toLowerCase(Locale.ROOT)
                    + " (expected " + HexFormat.of().formatHex(expected.value()).substring(0, 16)
                    + "..., got " + HexFormat.of().formatHex(actual).substring(0, 16) + "...)");
        }
        String hex = HexFormat.of().formatHex(shaBytes);
        long size = Files.size(part);
        Path blob = blobPath(hex);
        Files.createDirectories(blob.getParent());
        DurableFiles.force(part);
        // Replacing, not skipping, an existing blob: these bytes were just verified, the old ones maybe not.
        DurableFiles.move(part, blob);
        DurableFiles.forceDirectory(blob.getParent());
        writeRef(refKey, hex, size);
        StoredArtifact a = new StoredArtifact(blob, hex, size);
        verified.put(refKey, a);
        return a;
    }

    /** The digests of one write attempt; {@code check} is null when the expected hash is sha256 itself. */
    private record Digests(MessageDigest sha256, MessageDigest check) {
    }

    private void writeRef(String refKey, String hex, long size) throws IOException {
        Path ref = refPath(refKey);
        Files.createDirectories(ref.getParent());
        Path t = Files.createTempFile(tmp, "ref-", ".part");
        try {
            Files.writeString(t, hex + " " + size + "\n", StandardCharsets.US_ASCII);
            DurableFiles.force(t);
            DurableFiles.move(t, ref);
            DurableFiles.forceDirectory(ref.getParent());
        } finally {
            Files.deleteIfExists(t);
        }
    }

    public Path blobPath(String sha256Hex) {
        if (!HEX64.matcher(sha256Hex).matches()) {
            throw new IllegalArgumentException("not a sha256: " + sha256Hex);
        }
        return root.resolve(sha256Hex.substring(0, 2)).resolve(sha256Hex.substring(2, 4)).resolve(sha256Hex);
    }

    private Path refPath(String refKey) {
        String h = Hashes.sha256Hex(refKey);
        return refs.resolve(h.substring(0, 2)).resolve(h);
    }
}

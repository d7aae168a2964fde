package dev.airlock.proxy.store;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A second, shared copy of the verified artifacts that several nodes fill and read (S3-compatible
 * object storage). The local store stays the cache files are sent from; a miss there asks the
 * mirror before the upstream, and whatever the mirror gives is verified against the published hash
 * exactly like upstream bytes.
 */
public interface ArtifactMirror {
    /** What a ref names: the artifact's sha256 (hex) and size. */
    record Ref(String sha256, long size) {
    }

    /** The ref of an upstream file, when some node stored it. */
    Optional<Ref> ref(String refKey) throws IOException;

    /** Copies the blob into {@code out}; false when the mirror does not have it. */
    boolean copy(String sha256, OutputStream out) throws IOException;

    /** Stores a verified local file and its ref; the mirror checks the bytes it received. */
    void put(String refKey, String sha256, long size, Path file) throws IOException;
}

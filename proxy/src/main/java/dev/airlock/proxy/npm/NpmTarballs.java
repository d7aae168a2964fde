package dev.airlock.proxy.npm;

import dev.airlock.model.ArtifactFile;
import java.net.URI;
import java.time.Instant;

/** Names an npm version's one file the same way wherever it is judged: the serving path and the analysis queue. */
public final class NpmTarballs {
    private NpmTarballs() {
    }

    /**
     * The tarball as policy judges it: the last segment of its upstream URL (npm publishes no
     * sha256, so the digest is filled in from the bytes), uploaded when the version was published.
     */
    public static ArtifactFile file(URI upstream, String fallbackName, Instant published) {
        String path = upstream == null ? null : upstream.getPath();
        String name = path == null || path.isEmpty() ? fallbackName : path.substring(path.lastIndexOf('/') + 1);
        try {
            return ArtifactFile.of(name, null, published);
        } catch (IllegalArgumentException e) {
            return ArtifactFile.of(fallbackName, null, published);
        }
    }
}

package dev.airlock.policy;

import dev.airlock.model.ArtifactFile;
import dev.airlock.model.PackageCoordinate;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The one question the proxy asks policy, for every version listed in metadata and every
 * artifact request. Implementations fail closed: an error answers "hide", never "serve".
 */
public interface VerdictGate {
    /**
     * Whether a version appears in metadata. Called for every version of every document, on
     * the serving path: must answer from memory or the local store, never wait for analysis.
     *
     * @param publishedAt the registry's publish time, or null when the metadata has none
     */
    Decision listed(PackageCoordinate coordinate, Instant publishedAt);

    /**
     * Whether one file of a version appears in metadata (a PyPI page lists each file): the file is
     * judged by its own analysis and its own upload time, with everything said of the version.
     * Same constraints as {@link #listed}.
     */
    default Decision listedFile(PackageCoordinate coordinate, Instant versionPublishedAt, ArtifactFile file) {
        return listed(coordinate, versionPublishedAt);
    }

    /** Before this file of the version is fetched or served; see {@link #beforeDownload(PackageCoordinate, Instant, DownloadContext)}. */
    default CompletionStage<Decision> beforeDownload(PackageCoordinate coordinate, Instant versionPublishedAt,
                                                     ArtifactFile file, DownloadContext who) {
        return beforeDownload(coordinate, versionPublishedAt, who);
    }

    /** After this file's bytes are verified and stored; see {@link #afterFetch(PackageCoordinate, Path, String)}. */
    default CompletionStage<Decision> afterFetch(PackageCoordinate coordinate, ArtifactFile file, Path artifact, String sha256) {
        return afterFetch(coordinate, artifact, sha256);
    }

    /**
     * Before an artifact of this version is fetched or served. May complete later (a held
     * version waits for its analysis up to the configured hold wait).
     */
    CompletionStage<Decision> beforeDownload(PackageCoordinate coordinate, Instant publishedAt, DownloadContext who);

    /**
     * After the artifact's bytes are verified and stored, before they are sent: a gate may run the
     * static analysis here (with a deadline) and still refuse.
     */
    default CompletionStage<Decision> afterFetch(PackageCoordinate coordinate, Path artifact, String sha256) {
        return CompletableFuture.completedFuture(Decision.allow());
    }

    /** The artifact was sent to a client: recorded for the blast-radius view. Fails open. */
    default void served(PackageCoordinate coordinate, DownloadContext who) {
    }

    /**
     * A number that changes whenever any verdict may have changed, so the proxy can reuse a
     * filtered metadata document while it stays the same. Gates that cannot tell return a new
     * value each time (the default: never reuse).
     */
    default long generation() {
        return System.nanoTime();
    }

    /** A gate that serves everything: the proxy's behaviour before policy is configured. */
    static VerdictGate allowAll() {
        return new VerdictGate() {
            @Override
            public Decision listed(PackageCoordinate coordinate, Instant publishedAt) {
                return Decision.allow();
            }

            @Override
            public CompletionStage<Decision> beforeDownload(PackageCoordinate c, Instant publishedAt, DownloadContext who) {
                return CompletableFuture.completedFuture(Decision.allow());
            }

            @Override
            public long generation() {
                return 0;
            }
        };
    }
}

package dev.airlock.analysis;

import dev.airlock.model.ArtifactFile;
import dev.airlock.model.PackageCoordinate;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Gives the analysis the bytes of a version it has to examine. The proxy implements it: it knows
 * the upstream metadata, fetches the artifact, verifies its published hash and keeps it in the
 * content-addressed store.
 */
public interface ArtifactSource {
    /**
     * The verified artifact to analyse for this version (for PyPI the sdist when there is one,
     * else a wheel). The path stays valid for as long as the store keeps the artifact.
     */
    Path fetch(PackageCoordinate coordinate) throws IOException;

    /**
     * Every file the registry lists for this version, each to be analysed on its own. Empty when
     * the source cannot tell; the version is then analysed through {@link #fetch(PackageCoordinate)}.
     */
    default List<ArtifactFile> files(PackageCoordinate coordinate) throws IOException {
        return List.of();
    }

    /** The verified bytes of one file of the version. */
    default Path fetch(PackageCoordinate coordinate, ArtifactFile file) throws IOException {
        return fetch(coordinate);
    }
}

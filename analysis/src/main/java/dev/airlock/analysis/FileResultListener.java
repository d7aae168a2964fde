package dev.airlock.analysis;

import dev.airlock.model.ArtifactFile;
import dev.airlock.model.PackageCoordinate;

/** Receives the analysis of one file of a version (policy turns it into that file's verdict). */
@FunctionalInterface
public interface FileResultListener {
    /**
     * @param file the file analysed, or null when the source could not list the version's files and
     *             the analysis is of the version as a whole (its one artifact)
     */
    void accept(PackageCoordinate coordinate, ArtifactFile file, AnalysisResult result);
}

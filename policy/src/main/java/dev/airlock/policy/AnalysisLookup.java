package dev.airlock.policy;

import dev.airlock.analysis.AnalysisResult;
import dev.airlock.model.PackageCoordinate;
import java.util.Optional;

/** Finds the last analysis of a version for the admin API's version view; wired to the analysis store. */
@FunctionalInterface
public interface AnalysisLookup {
    Optional<AnalysisResult> find(PackageCoordinate coordinate);

    /** Every file's analysis of the version, by file name ("" for a version analysed as a whole). */
    default java.util.Map<String, AnalysisResult> files(PackageCoordinate coordinate) {
        return find(coordinate).map(r -> java.util.Map.of("", r)).orElse(java.util.Map.of());
    }

    /** The last infrastructure failure of an analysis of this version that has not run since. */
    default Optional<dev.airlock.analysis.InfrastructureFailure> failure(PackageCoordinate coordinate) {
        return Optional.empty();
    }

    static AnalysisLookup none() {
        return c -> Optional.empty();
    }
}

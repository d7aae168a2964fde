package dev.airlock.policy;

import dev.airlock.analysis.AnalysisResult;
import dev.airlock.model.PackageCoordinate;
import java.util.Optional;

/** Finds the last analysis of a version for the admin API's version view; wired to the analysis store. */
@FunctionalInterface
public interface AnalysisLookup {
    Optional<AnalysisResult> find(PackageCoordinate coordinate);

    static AnalysisLookup none() {
        return c -> Optional.empty();
    }
}

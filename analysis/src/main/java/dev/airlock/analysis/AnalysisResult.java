package dev.airlock.analysis;

import dev.airlock.sandbox.BehaviorReport;
import java.util.List;

/**
 * The outcome of analysing one artifact.
 *
 * @param name       package name read from the artifact's manifest (null if unreadable)
 * @param version    version read from the manifest (null if unreadable)
 * @param sha256     hex digest of the artifact bytes
 * @param behavior   the sandbox report, or null when the sandbox did not run
 * @param staticMs   time spent on static analysis
 * @param dynamicMs  time spent in the sandbox (0 when it did not run)
 */
public record AnalysisResult(String ecosystem, String name, String version, String sha256,
                             Recommendation recommendation, List<Finding> findings, BehaviorReport behavior,
                             long staticMs, long dynamicMs) {
    public AnalysisResult {
        findings = findings == null ? List.of() : List.copyOf(findings);
    }
}

package dev.airlock.policy;

import dev.airlock.analysis.AnalysisResult;
import dev.airlock.model.PackageCoordinate;
import java.nio.file.Path;

/**
 * The static analysis of one artifact, run by the gate on the first download of an older
 * version that was never analysed. The proxy wires it to the analysis module's analyzer.
 */
@FunctionalInterface
public interface StaticCheck {
    AnalysisResult check(PackageCoordinate coordinate, Path artifact) throws Exception;
}

package dev.airlock.analysis;

import dev.airlock.analysis.rules.PreviousVersion;
import dev.airlock.analysis.rules.ReleaseFacts;
import dev.airlock.model.Ecosystem;
import dev.airlock.model.PackageCoordinate;
import java.nio.file.Path;

/**
 * Everything besides the bytes that an analysis of one artifact may use. Only the ecosystem and the
 * sandbox switch matter for a plain run; the rest makes it sharper when the caller knows it.
 *
 * @param fileName     the registry's name of the file when it is stored under another (the sandbox needs it), or null
 * @param ecosystem    npm or pypi, or null to detect it from the archive
 * @param useSandbox   whether to run the sandbox phases too
 * @param expected     the version the registry says this artifact is (manifest cross-check), or null
 * @param previous     the package's last allowed release of the same kind (behaviour baseline, history), or null
 * @param release      what the registry says about this release (publisher, provenance, times); never null
 * @param dependencies a directory of allowed artifacts the sandbox may install dependencies from, or null
 */
public record AnalysisRequest(String fileName, Ecosystem ecosystem, boolean useSandbox, PackageCoordinate expected,
                              PreviousVersion previous, ReleaseFacts release, Path dependencies) {
    public AnalysisRequest {
        release = release == null ? ReleaseFacts.unknown() : release;
    }

    public static AnalysisRequest of(Ecosystem ecosystemOrNull, boolean useSandbox) {
        return new AnalysisRequest(null, ecosystemOrNull, useSandbox, null, null, null, null);
    }

    public AnalysisRequest withPrevious(PreviousVersion previousOrNull) {
        return new AnalysisRequest(fileName, ecosystem, useSandbox, expected, previousOrNull, release, dependencies);
    }

    public AnalysisRequest withRelease(ReleaseFacts facts) {
        return new AnalysisRequest(fileName, ecosystem, useSandbox, expected, previous, facts, dependencies);
    }

    public AnalysisRequest withDependencies(Path directoryOrNull) {
        return new AnalysisRequest(fileName, ecosystem, useSandbox, expected, previous, release, directoryOrNull);
    }

    public AnalysisRequest withSandbox(boolean use) {
        return new AnalysisRequest(fileName, ecosystem, use, expected, previous, release, dependencies);
    }
}

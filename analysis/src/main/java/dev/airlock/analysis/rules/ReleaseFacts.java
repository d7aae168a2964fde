package dev.airlock.analysis.rules;

import java.time.Instant;
import java.util.Map;

/**
 * What the registry says about one release, beside its bytes: who published it, whether it came with
 * provenance (npm attestations, PEP 740), and when. The proxy knows these from the metadata it serves;
 * every field may be unknown (null), and an unknown fact is never evidence.
 *
 * @param publisher            the account that published the release (npm {@code _npmUser}, PyPI uploader)
 * @param attested             whether the release carries provenance or attestations
 * @param versionPublished     when the version first appeared
 * @param filePublished        when this file appeared (later than the version for a file added to an old release)
 * @param dependencyPublished  for dependencies, when the version this release resolves to first appeared
 */
public record ReleaseFacts(String publisher, Boolean attested, Instant versionPublished, Instant filePublished,
                           Map<String, Instant> dependencyPublished) {
    public ReleaseFacts {
        dependencyPublished = dependencyPublished == null ? Map.of() : Map.copyOf(dependencyPublished);
    }

    public static ReleaseFacts unknown() {
        return new ReleaseFacts(null, null, null, null, Map.of());
    }
}

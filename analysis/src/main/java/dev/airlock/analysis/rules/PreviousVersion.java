package dev.airlock.analysis.rules;

import dev.airlock.analysis.meta.PackageManifest;
import dev.airlock.sandbox.BehaviorReport;
import java.util.Objects;
import java.util.Set;

/**
 * The behaviour baseline of a package: the previous version of the same kind of file that was
 * allowed, what it did in the sandbox, and what it declared. Behaviour a package has always had is
 * weighed; new behaviour is what decides.
 *
 * @param version   the previous allowed version
 * @param behavior  its sandbox report (null when it ran without the sandbox: then nothing is a habit)
 * @param manifest  what it declared (install scripts, dependencies), or null when unknown
 * @param staticRules the rules its static analysis raised (capabilities and threats), or null when unknown
 * @param publisher who it names as author or maintainer in its own metadata, or null
 * @param release   what the registry said about it, or null when unknown
 */
public record PreviousVersion(String version, BehaviorReport behavior, PackageManifest manifest, Set<String> staticRules,
                              String publisher, ReleaseFacts release) {
    public PreviousVersion {
        Objects.requireNonNull(version, "version");
        staticRules = staticRules == null ? null : Set.copyOf(staticRules);
    }

    /** Only the behaviour is known (what the analysis queue keeps of an allowed version). */
    public PreviousVersion(String version, BehaviorReport behavior) {
        this(version, behavior, null, null, null, null);
    }
}

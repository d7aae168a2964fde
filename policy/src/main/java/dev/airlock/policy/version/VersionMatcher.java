package dev.airlock.policy.version;

import dev.airlock.model.Ecosystem;

/** Whether a version string falls inside a range written in the ecosystem's own notation. */
@FunctionalInterface
public interface VersionMatcher {
    VersionMatcher ANY = v -> true;

    boolean matches(String version);

    /**
     * Parses an npm semver range or a PEP 440 specifier set; null, blank or {@code *} match every
     * version. Pre-releases are matched like any other version: a deny rule must not let them through.
     */
    static VersionMatcher parse(Ecosystem ecosystem, String range) {
        if (range == null || range.isBlank() || range.trim().equals("*")) {
            return ANY;
        }
        return switch (ecosystem) {
            case NPM -> NpmRange.parse(range);
            case PYPI -> Pep440Specifier.parse(range);
        };
    }
}

package dev.airlock.policy.version;

import dev.airlock.model.Ecosystem;
import java.util.Comparator;
import org.semver4j.Semver;

/** Orders versions of one ecosystem; unparseable versions sort first and compare by text. */
public final class VersionOrder {
    private VersionOrder() {
    }

    public static Comparator<String> of(Ecosystem ecosystem) {
        return switch (ecosystem) {
            case NPM -> (a, b) -> {
                Semver x = NpmRange.semver(a);
                Semver y = NpmRange.semver(b);
                if (x == null || y == null) {
                    return x == y ? a.compareTo(b) : (x == null ? -1 : 1);
                }
                return x.compareTo(y);
            };
            case PYPI -> (a, b) -> {
                Pep440Version x = Pep440Version.tryParse(a);
                Pep440Version y = Pep440Version.tryParse(b);
                if (x == null || y == null) {
                    return x == y ? a.compareTo(b) : (x == null ? -1 : 1);
                }
                return x.compareTo(y);
            };
        };
    }

    /** True when the version can be placed in the ecosystem's order at all. */
    public static boolean parseable(Ecosystem ecosystem, String version) {
        return switch (ecosystem) {
            case NPM -> NpmRange.semver(version) != null;
            case PYPI -> Pep440Version.tryParse(version) != null;
        };
    }
}

package dev.airlock.model;

import java.util.Objects;

/**
 * One version of one package: the unit a verdict is kept for. The name is always normalised
 * (PEP 503 for PyPI, lower case for npm), so two spellings of one project share one verdict.
 */
public record PackageCoordinate(Ecosystem ecosystem, String name, String version) {
    public PackageCoordinate {
        Objects.requireNonNull(ecosystem, "ecosystem");
        name = PackageNames.normalize(ecosystem, name);
        if (!PackageNames.isValidVersion(version)) {
            throw new IllegalArgumentException("invalid version '" + version + "'");
        }
    }

    public static PackageCoordinate of(Ecosystem ecosystem, String name, String version) {
        return new PackageCoordinate(ecosystem, name, version);
    }

    /** Parses {@code ecosystem:name@version}, the form used in logs and storage keys. */
    public static PackageCoordinate parse(String text) {
        int colon = text.indexOf(':');
        int at = text.lastIndexOf('@');
        if (colon <= 0 || at <= colon + 1) {
            throw new IllegalArgumentException("expected ecosystem:name@version, got '" + text + "'");
        }
        return new PackageCoordinate(Ecosystem.parse(text.substring(0, colon)),
                text.substring(colon + 1, at), text.substring(at + 1));
    }

    /** The package without its version. */
    public PackageId packageId() {
        return new PackageId(ecosystem, name);
    }

    @Override
    public String toString() {
        return ecosystem.id() + ":" + name + "@" + version;
    }
}

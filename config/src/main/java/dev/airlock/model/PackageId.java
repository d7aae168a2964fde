package dev.airlock.model;

import java.util.Objects;

/** A package of one ecosystem, its name normalised. */
public record PackageId(Ecosystem ecosystem, String name) {
    public PackageId {
        Objects.requireNonNull(ecosystem, "ecosystem");
        name = PackageNames.normalize(ecosystem, name);
    }

    public PackageCoordinate version(String version) {
        return new PackageCoordinate(ecosystem, name, version);
    }

    @Override
    public String toString() {
        return ecosystem.id() + ":" + name;
    }
}

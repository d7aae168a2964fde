package dev.airlock.policy;

import dev.airlock.model.PackageCoordinate;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The admin overrides in force, by target ({@code ecosystem:name@version} or {@code ecosystem:name}).
 * Loaded from the store at startup; {@link PolicyAdmin} changes them after writing the store.
 */
final class Overrides {
    private final Map<String, AdminOverride> byTarget = new ConcurrentHashMap<>();
    private final Clock clock;

    Overrides(Iterable<AdminOverride> stored, Clock clock) {
        this.clock = clock;
        for (AdminOverride o : stored) {
            byTarget.put(o.target(), o);
        }
    }

    /** The override that decides this version now: its own first, then the whole package's. */
    Optional<AdminOverride> activeFor(PackageCoordinate c) {
        Instant now = clock.instant();
        AdminOverride v = byTarget.get(c.toString());
        if (v != null && v.activeAt(now)) {
            return Optional.of(v);
        }
        AdminOverride p = byTarget.get(c.packageId().toString());
        if (p != null && p.activeAt(now)) {
            return Optional.of(p);
        }
        return Optional.empty();
    }

    /** How a reason names the override's reach: nothing for the version's own, else the whole package. */
    static String scope(AdminOverride o, PackageCoordinate c) {
        return o.target().equals(c.toString()) ? "" : " (whole package)";
    }

    Map<String, AdminOverride> asMap() {
        return byTarget;
    }
}

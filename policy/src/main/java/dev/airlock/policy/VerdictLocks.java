package dev.airlock.policy;

import dev.airlock.model.PackageCoordinate;

/**
 * Read-modify-write of one version's verdict happens under its stripe, so a listing that
 * re-decides a verdict can never write back a copy older than an analysis result.
 */
final class VerdictLocks {
    private final Object[] stripes = new Object[64];

    VerdictLocks() {
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new Object();
        }
    }

    Object of(PackageCoordinate c) {
        return stripes[Math.floorMod(c.hashCode(), stripes.length)];
    }
}

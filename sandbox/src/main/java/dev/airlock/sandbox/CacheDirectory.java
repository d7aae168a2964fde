package dev.airlock.sandbox;

import java.nio.file.Path;

/** Where the sandbox keeps its root filesystem archive, helper scripts and baselines between runs. */
final class CacheDirectory {
    private CacheDirectory() {
    }

    /** {@code -Dairlock.cacheDir}, else {@code $XDG_CACHE_HOME/airlock}, else {@code ~/.cache/airlock}. */
    static Path resolve() {
        String explicit = System.getProperty("airlock.cacheDir");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg, "airlock");
        }
        return Path.of(System.getProperty("user.home"), ".cache", "airlock");
    }
}

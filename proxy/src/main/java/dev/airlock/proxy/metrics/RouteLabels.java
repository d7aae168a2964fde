package dev.airlock.proxy.metrics;

import java.util.regex.Pattern;

/**
 * Maps a request path to a small fixed set of (ecosystem, route) labels. Paths come from
 * clients, so they never become labels themselves: anything unrecognised is {@code other}.
 */
public final class RouteLabels {
    private static final Pattern PYPI_FILE = Pattern.compile(".*\\.(whl|tar\\.gz|zip|tar\\.bz2|egg|tgz)(#.*)?$");
    private static final Pattern NPM_TARBALL = Pattern.compile(".*/-/[^/]+\\.tgz$");

    private RouteLabels() {
    }

    /** (ecosystem, route): ecosystem {@code npm}, {@code pypi} or {@code none}. */
    public record Labels(String ecosystem, String route) {
    }

    public static Labels of(String path) {
        if (path == null) {
            return new Labels("none", "other");
        }
        if (path.startsWith("/pypi/")) {
            if (path.startsWith("/pypi/simple/") || path.equals("/pypi/simple")) {
                return new Labels("pypi", "index");
            }
            if (path.startsWith("/pypi/files/") || PYPI_FILE.matcher(path).matches()) {
                return new Labels("pypi", "file");
            }
            if (path.endsWith("/json")) {
                return new Labels("pypi", "json");
            }
            return new Labels("pypi", "other");
        }
        if (path.startsWith("/npm/")) {
            if (path.contains("/-/npm/v1/security/")) {
                return new Labels("npm", "advisories");
            }
            if (NPM_TARBALL.matcher(path).matches()) {
                return new Labels("npm", "tarball");
            }
            return new Labels("npm", path.contains("/-/") ? "other" : "metadata");
        }
        if (path.startsWith("/api/")) {
            return new Labels("none", "admin_api");
        }
        if (path.equals("/ui") || path.startsWith("/ui/")) {
            return new Labels("none", "ui");
        }
        if (path.equals("/metrics")) {
            return new Labels("none", "metrics");
        }
        if (path.equals("/healthz") || path.equals("/readyz")) {
            return new Labels("none", "health");
        }
        return new Labels("none", "other");
    }
}

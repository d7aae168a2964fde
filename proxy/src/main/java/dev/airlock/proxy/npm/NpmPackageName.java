package dev.airlock.proxy.npm;

import dev.airlock.model.PackageNames;
import java.util.Locale;

/**
 * An npm package name, optionally scoped. Parsed from request paths, where a scoped name may
 * arrive as {@code @scope%2fname}, {@code @scope%2Fname} or {@code @scope/name}.
 */
public record NpmPackageName(String scope, String name) {
    public NpmPackageName {
        String full = scope == null ? name : scope + "/" + name;
        if (!PackageNames.isValidNpm(full == null ? null : full.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("invalid npm package name '" + full + "'");
        }
    }

    /** Parses a full name: {@code left-pad} or {@code @scope/name} (already URL-decoded). */
    public static NpmPackageName parse(String full) {
        if (full == null || full.isEmpty()) {
            throw new IllegalArgumentException("empty npm package name");
        }
        if (full.startsWith("@")) {
            int slash = full.indexOf('/');
            if (slash < 0) {
                throw new IllegalArgumentException("scoped npm name without '/': '" + full + "'");
            }
            return new NpmPackageName(full.substring(0, slash), full.substring(slash + 1));
        }
        return new NpmPackageName(null, full);
    }

    public String full() {
        return scope == null ? name : scope + "/" + name;
    }

    /** The form upstream registries expect in a packument URL: {@code @scope%2fname}. */
    public String urlForm() {
        return scope == null ? name : scope + "%2f" + name;
    }

    /** The conventional tarball file name for a version: no scope in it. */
    public String tarballFile(String version) {
        return name + "-" + version + ".tgz";
    }

    /** The version in a conventional tarball file name, or null when it does not follow the convention. */
    public String versionFromTarball(String file) {
        String prefix = name + "-";
        if (file.startsWith(prefix) && file.endsWith(".tgz") && file.length() > prefix.length() + 4) {
            return file.substring(prefix.length(), file.length() - 4);
        }
        return null;
    }
}

package dev.airlock.proxy.pypi;

import dev.airlock.model.PackageNames;
import java.util.List;

/**
 * The simple API has no per-file version: it is read from the file name, by the wheel and sdist
 * naming rules, knowing the project it belongs to. Files that cannot be mapped are left out.
 */
public final class PypiFilenames {
    private static final List<String> SDIST_SUFFIXES = List.of(".tar.gz", ".tar.bz2", ".tar.xz", ".zip", ".tgz", ".tar");

    private PypiFilenames() {
    }

    /** The version of {@code filename} in project {@code normalisedProject}, or null. */
    public static String version(String normalisedProject, String filename) {
        if (filename.endsWith(".whl")) {
            String[] parts = filename.substring(0, filename.length() - 4).split("-");
            if (parts.length >= 5 && PackageNames.normalizePypi(parts[0]).equals(normalisedProject)) {
                return parts[1];
            }
            return null;
        }
        for (String suffix : SDIST_SUFFIXES) {
            if (filename.endsWith(suffix)) {
                String stem = filename.substring(0, filename.length() - suffix.length());
                for (int i = stem.indexOf('-'); i > 0; i = stem.indexOf('-', i + 1)) {
                    if (PackageNames.normalizePypi(stem.substring(0, i)).equals(normalisedProject) && i + 1 < stem.length()) {
                        return stem.substring(i + 1);
                    }
                }
                return null;
            }
        }
        return null;
    }

    public static boolean isSdist(String filename) {
        return SDIST_SUFFIXES.stream().anyMatch(filename::endsWith);
    }
}

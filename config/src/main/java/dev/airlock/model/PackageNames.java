package dev.airlock.model;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Name rules shared by every module, so that the proxy, the store, the analysis and the admin API
 * agree on what "the same package" means.
 */
public final class PackageNames {
    private static final Pattern PYPI_RUNS = Pattern.compile("[-_.]+");
    /** PEP 508 project names: letters, digits and . _ - inside, alphanumeric at both ends. */
    private static final Pattern PYPI_VALID = Pattern.compile("^([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9])$");
    /** npm names: optional @scope/, then URL-safe lower-case characters; no leading dot or underscore. */
    private static final Pattern NPM_VALID =
            Pattern.compile("^(@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9~-][a-z0-9._~-]*$");
    /** Versions travel into file names and keys: keep them to the characters real versions use. */
    private static final Pattern VERSION_VALID = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9.+_!-]{0,127}$");

    private PackageNames() {
    }

    /** PEP 503 normalisation: lower case, each run of -, _ and . becomes one -. */
    public static String normalizePypi(String name) {
        return PYPI_RUNS.matcher(name).replaceAll("-").toLowerCase(Locale.ROOT);
    }

    public static boolean isValidPypi(String name) {
        return name != null && name.length() <= 200 && PYPI_VALID.matcher(name).matches();
    }

    public static boolean isValidNpm(String name) {
        return name != null && name.length() <= 214 && NPM_VALID.matcher(name).matches();
    }

    public static boolean isValidVersion(String version) {
        return version != null && VERSION_VALID.matcher(version).matches();
    }

    /** Normalises a name of the given ecosystem, or throws when it is not a valid name there. */
    public static String normalize(Ecosystem ecosystem, String name) {
        switch (ecosystem) {
            case PYPI:
                if (!isValidPypi(name)) {
                    throw new IllegalArgumentException("invalid PyPI project name '" + name + "'");
                }
                return normalizePypi(name);
            case NPM:
                // npm allows upper case in legacy names only; we compare names as the registry does, lower-cased.
                String lower = name == null ? null : name.toLowerCase(Locale.ROOT);
                if (!isValidNpm(lower)) {
                    throw new IllegalArgumentException("invalid npm package name '" + name + "'");
                }
                return lower;
            default:
                throw new AssertionError(ecosystem);
        }
    }
}

package dev.airlock.model;

import java.time.Instant;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One file of a version as the registry lists it. Airlock judges every file on its own: a PyPI
 * release is an sdist and any number of wheels, each of which can carry different code, and a
 * file can be added to a release long after the release itself was published.
 *
 * @param name       the file name, as the last segment of its URL (no directories)
 * @param sha256     lower-case hex digest when the registry publishes one, else null (npm publishes sha512)
 * @param uploadedAt when the registry says this file was uploaded, or null when it does not say
 */
public record ArtifactFile(String name, String sha256, Instant uploadedAt) {
    private static final Pattern SHA256 = Pattern.compile("^[0-9a-f]{64}$");
    private static final int MAX_NAME = 255;

    public ArtifactFile {
        if (name == null || name.isBlank() || name.length() > MAX_NAME || name.contains("/") || name.contains("\\") || name.contains("|")
                || name.equals(".") || name.equals("..") || name.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) {
            throw new IllegalArgumentException("invalid artifact file name '" + name + "'");
        }
        if (sha256 != null) {
            sha256 = sha256.toLowerCase(Locale.ROOT);
            if (!SHA256.matcher(sha256).matches()) {
                throw new IllegalArgumentException("invalid sha256 '" + sha256 + "' for " + name);
            }
        }
    }

    public static ArtifactFile of(String name, String sha256OrNull, Instant uploadedAtOrNull) {
        return new ArtifactFile(name, sha256OrNull, uploadedAtOrNull);
    }

    /** This file with its digest filled in once the bytes are at hand. */
    public ArtifactFile withSha256(String digest) {
        return digest == null || digest.equalsIgnoreCase(String.valueOf(sha256)) ? this : new ArtifactFile(name, digest, uploadedAt);
    }
}

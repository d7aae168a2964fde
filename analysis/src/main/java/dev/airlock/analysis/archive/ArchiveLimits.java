package dev.airlock.analysis.archive;

/**
 * Bounds on what one artifact may unpack to. Reading stops at the first bound crossed and the
 * crossing itself becomes a finding: a bomb is evidence, not an error.
 *
 * @param maxTotalBytes  sum of all unpacked entry sizes
 * @param maxEntries     number of entries
 * @param maxEntryBytes  size of one unpacked entry
 * @param maxRatio       unpacked bytes per compressed byte, checked once at least {@code 1 MiB} is unpacked
 * @param maxKeptBytes   size up to which a text entry is kept in memory for the rules
 */
public record ArchiveLimits(long maxTotalBytes, int maxEntries, long maxEntryBytes, int maxRatio, int maxKeptBytes) {
    public ArchiveLimits {
        if (maxTotalBytes <= 0 || maxEntries <= 0 || maxEntryBytes <= 0 || maxRatio <= 0 || maxKeptBytes <= 0) {
            throw new IllegalArgumentException("archive limits must be positive");
        }
    }

    public static ArchiveLimits defaults() {
        return new ArchiveLimits(2L << 30, 100_000, 1L << 30, 200, 4 << 20);
    }
}

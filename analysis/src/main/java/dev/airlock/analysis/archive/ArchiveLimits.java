package dev.airlock.analysis.archive;

/**
 * Bounds on what one artifact may unpack to. Reading stops at the first bound crossed and the
 * crossing itself becomes a finding: a bomb is evidence, not an error.
 *
 * @param maxTotalBytes    sum of all unpacked entry sizes
 * @param maxEntries       number of entries
 * @param maxEntryBytes    size of one unpacked entry
 * @param maxRatio         unpacked bytes per compressed byte, checked once at least {@code 1 MiB} is unpacked
 * @param maxKeptBytes     size up to which a text entry is kept in memory for the rules
 * @param maxRetainedBytes sum of everything kept in memory for one artifact (kept text and entry heads);
 *                         crossing it stops reading with an {@code archive_too_large} finding, so many
 *                         kept entries together cannot exhaust the heap
 */
public record ArchiveLimits(long maxTotalBytes, int maxEntries, long maxEntryBytes, int maxRatio, int maxKeptBytes,
                            long maxRetainedBytes) {
    /** What one artifact may keep in memory unless told otherwise. */
    public static final long DEFAULT_MAX_RETAINED_BYTES = 256L << 20;

    public ArchiveLimits {
        if (maxTotalBytes <= 0 || maxEntries <= 0 || maxEntryBytes <= 0 || maxRatio <= 0 || maxKeptBytes <= 0
                || maxRetainedBytes <= 0) {
            throw new IllegalArgumentException("archive limits must be positive");
        }
    }

    /** The earlier five bounds, with the default in-memory cap. */
    public ArchiveLimits(long maxTotalBytes, int maxEntries, long maxEntryBytes, int maxRatio, int maxKeptBytes) {
        this(maxTotalBytes, maxEntries, maxEntryBytes, maxRatio, maxKeptBytes, DEFAULT_MAX_RETAINED_BYTES);
    }

    public static ArchiveLimits defaults() {
        return new ArchiveLimits(2L << 30, 100_000, 1L << 30, 200, 4 << 20, DEFAULT_MAX_RETAINED_BYTES);
    }

    /** These limits with another in-memory cap. */
    public ArchiveLimits withMaxRetainedBytes(long bytes) {
        return new ArchiveLimits(maxTotalBytes, maxEntries, maxEntryBytes, maxRatio, maxKeptBytes, bytes);
    }
}

package dev.airlock.analysis.archive;

import dev.airlock.analysis.Finding;
import java.util.List;
import java.util.Optional;

/**
 * What could be read safely from one artifact.
 *
 * @param format    {@code tar.gz}, {@code tar.bz2}, {@code tar.xz}, {@code tar}, {@code zip} or {@code unknown}
 * @param entries   regular files, in archive order
 * @param findings  what was refused while reading (traversal, links out, devices, bombs, corruption)
 * @param complete  false when reading stopped early (limit crossed or archive corrupt)
 */
public record ArtifactContents(String format, List<ArchiveEntry> entries, List<Finding> findings, boolean complete) {
    public ArtifactContents {
        entries = List.copyOf(entries);
        findings = List.copyOf(findings);
    }

    public Optional<ArchiveEntry> entry(String path) {
        return entries.stream().filter(e -> e.path().equals(path)).findFirst();
    }

    public boolean isZip() {
        return "zip".equals(format);
    }
}

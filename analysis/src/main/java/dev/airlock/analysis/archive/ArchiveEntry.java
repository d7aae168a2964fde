package dev.airlock.analysis.archive;

/**
 * One regular file of an artifact, held in memory only.
 *
 * @param path       the entry path with the archive's single top directory removed ("package/" for npm)
 * @param rawPath    the path exactly as stored in the archive
 * @param size       unpacked size in bytes
 * @param content    the full bytes when the entry is small text worth reading, else null
 * @param head       the first bytes of the entry (magic numbers of native binaries)
 * @param executable whether the archive marks the entry executable
 */
public record ArchiveEntry(String path, String rawPath, long size, byte[] content, byte[] head, boolean executable) {
    public boolean hasContent() {
        return content != null;
    }

    public String fileName() {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? path : path.substring(slash + 1);
    }
}

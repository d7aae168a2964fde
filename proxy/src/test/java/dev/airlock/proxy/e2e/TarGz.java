package dev.airlock.proxy.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** Builds small, reproducible {@code .tar.gz} archives (npm tarballs, Python sdists) in memory. */
final class TarGz {
    /** A fixed mtime keeps the bytes, and so the published hashes, identical across runs. */
    private static final long MTIME_MILLIS = 1_700_000_000_000L;

    private final Map<String, byte[]> entries = new LinkedHashMap<>();

    TarGz add(String path, byte[] content) {
        entries.put(path, content);
        return this;
    }

    TarGz add(String path, String content) {
        return add(path, content.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(out))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                TarArchiveEntry entry = new TarArchiveEntry(e.getKey());
                entry.setSize(e.getValue().length);
                entry.setMode(0644);
                entry.setModTime(MTIME_MILLIS);
                tar.putArchiveEntry(entry);
                tar.write(e.getValue());
                tar.closeArchiveEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}

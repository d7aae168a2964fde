package dev.airlock.analysis.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.analysis.Finding;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchiveMemoryCapTest {
    private static final int ENTRIES = 700;
    private static final int ENTRY_BYTES = 4 << 20;

    @TempDir
    Path dir;

    /**
     * 700 text entries of 4 MiB each (2.8 GiB unpacked, every entry small enough to be kept) in a
     * file of a few MiB. Written as concatenated gzip members, each entry's content compressed once
     * and repeated, so the test builds it in well under a second and never holds it in memory.
     */
    private Path textBomb() throws IOException {
        byte[] line = "module.exports.greet = function () { return 'hello'; };\n".getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(content)) {
            byte[] text = new byte[ENTRY_BYTES];
            for (int i = 0; i < text.length; i++) {
                text[i] = line[i % line.length];
            }
            gz.write(text);
        }
        byte[] compressedContent = content.toByteArray();
        Path p = dir.resolve("textbomb-1.0.tar.gz");
        try (OutputStream out = Files.newOutputStream(p)) {
            for (int i = 0; i < ENTRIES; i++) {
                TarArchiveEntry e = new TarArchiveEntry("textbomb-1.0/lib/part" + i + ".js");
                e.setSize(ENTRY_BYTES);
                byte[] header = new byte[512];
                e.writeEntryHeader(header);
                out.write(gzip(header));
                out.write(compressedContent);
            }
            out.write(gzip(new byte[1024]));
        }
        return p;
    }

    private static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bo)) {
            gz.write(b);
        }
        return bo.toByteArray();
    }

    private static long retained(ArtifactContents c) {
        return c.entries().stream()
                .mapToLong(e -> (e.content() == null ? 0 : e.content().length) + e.head().length)
                .sum();
    }

    @Test
    void aSmallSdistOfCompressibleTextStopsAtTheMemoryCapWithAFinding() throws Exception {
        Path bomb = textBomb();
        assertTrue(Files.size(bomb) < 16 << 20, "the fixture is a small download: " + Files.size(bomb));
        ArtifactContents c = new ArchiveReader(ArchiveLimits.defaults()).read(bomb);
        assertFalse(c.complete());
        assertEquals("archive_too_large", c.findings().get(0).rule(), c.findings().toString());
        assertTrue(retained(c) <= ArchiveLimits.DEFAULT_MAX_RETAINED_BYTES, "retained " + retained(c));
        assertTrue(c.entries().size() < ENTRIES && c.entries().size() >= 60, "entries kept: " + c.entries().size());
    }

    @Test
    void theMemoryCapIsConfigurable() throws Exception {
        long cap = 10L << 20;
        ArtifactContents c = new ArchiveReader(ArchiveLimits.defaults().withMaxRetainedBytes(cap)).read(textBomb());
        Finding f = c.findings().get(0);
        assertEquals("archive_too_large", f.rule());
        assertTrue(retained(c) <= cap, "retained " + retained(c));
        assertEquals(2, c.entries().size());
    }
}

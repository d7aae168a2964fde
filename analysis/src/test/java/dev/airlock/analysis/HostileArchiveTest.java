package dev.airlock.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.analysis.archive.ArchiveLimits;
import dev.airlock.analysis.archive.ArchiveReader;
import dev.airlock.analysis.archive.ArtifactContents;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostileArchiveTest {
    @TempDir
    Path dir;

    private Path tar(String name, TarArchiveEntry... entries) throws Exception {
        Path p = dir.resolve(name);
        try (OutputStream o = Files.newOutputStream(p); GzipCompressorOutputStream gz = new GzipCompressorOutputStream(o);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(gz)) {
            byte[] pj = Fixtures.packageJson("x", "1.0.0", "").getBytes();
            TarArchiveEntry e = new TarArchiveEntry("package/package.json");
            e.setSize(pj.length);
            tar.putArchiveEntry(e);
            tar.write(pj);
            tar.closeArchiveEntry();
            for (TarArchiveEntry x : entries) {
                tar.putArchiveEntry(x);
                if (x.getSize() > 0) {
                    tar.write(new byte[(int) x.getSize()]);
                }
                tar.closeArchiveEntry();
            }
        }
        return p;
    }

    private static Set<String> rules(AnalysisResult r) {
        return r.findings().stream().map(Finding::rule).collect(java.util.stream.Collectors.toSet());
    }

    @Test
    void blocksATarballWhoseEntryClimbsOutWithDotDot() throws Exception {
        TarArchiveEntry evil = new TarArchiveEntry("package/../../etc/cron.d/x", true);
        evil.setSize(4);
        AnalysisResult r = Analyzer.staticOnly().analyzeStatic(tar("trav.tgz", evil), null);
        assertTrue(rules(r).contains("archive_path_traversal"), r.findings().toString());
        assertEquals(Recommendation.MALICIOUS, r.recommendation());
        assertEquals("x", r.name());
    }

    @Test
    void reportsASymlinkPointingOutsideAndNeverFollowsIt() throws Exception {
        TarArchiveEntry link = new TarArchiveEntry("package/creds", TarArchiveEntry.LF_SYMLINK);
        link.setLinkName("/root/.ssh/id_rsa");
        AnalysisResult r = Analyzer.staticOnly().analyzeStatic(tar("link.tgz", link), null);
        assertTrue(rules(r).contains("archive_link_outside"), r.findings().toString());
        assertEquals(Recommendation.SUSPICIOUS, r.recommendation());
    }

    @Test
    void blocksADeviceFileEntry() throws Exception {
        TarArchiveEntry dev = new TarArchiveEntry("package/null", TarArchiveEntry.LF_CHR);
        AnalysisResult r = Analyzer.staticOnly().analyzeStatic(tar("dev.tgz", dev), null);
        assertTrue(rules(r).contains("archive_device_file"), r.findings().toString());
        assertEquals(Recommendation.MALICIOUS, r.recommendation());
    }

    @Test
    void stopsAZipBombAtTheRatioLimitWithAFinding() throws Exception {
        Path p = dir.resolve("bomb.zip");
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(p)) {
            zip.putArchiveEntry(new ZipArchiveEntry("bomb/zeros.txt"));
            byte[] chunk = new byte[1 << 20];
            for (int i = 0; i < 64; i++) {
                zip.write(chunk);
            }
            zip.closeArchiveEntry();
        }
        ArtifactContents c = new ArchiveReader(new ArchiveLimits(1L << 30, 100, 1L << 30, 100, 1 << 20)).read(p);
        assertFalse(c.complete());
        assertEquals("archive_bomb", c.findings().get(0).rule());
        AnalysisResult r = Analyzer.staticOnly().analyzeStatic(p, null);
        assertTrue(rules(r).contains("archive_bomb"), r.findings().toString());
        assertEquals(Recommendation.SUSPICIOUS, r.recommendation());
    }

    @Test
    void garbageIsAFindingNotAnException() throws Exception {
        Path p = dir.resolve("junk.tgz");
        Files.write(p, new byte[] {0x1f, (byte) 0x8b, 8, 0, 1, 2, 3});
        AnalysisResult r = Analyzer.staticOnly().analyzeStatic(p, null);
        assertTrue(rules(r).contains("archive_corrupt"), r.findings().toString());
        assertEquals(64, r.sha256().length());
    }
}

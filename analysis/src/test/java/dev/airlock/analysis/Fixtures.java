package dev.airlock.analysis;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/** Builds tiny real artifacts for the tests. */
final class Fixtures {
    private Fixtures() {
    }

    static Map<String, String> files(String... pathThenContent) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < pathThenContent.length; i += 2) {
            m.put(pathThenContent[i], pathThenContent[i + 1]);
        }
        return m;
    }

    static Path npm(Path dir, String name, Map<String, String> files) throws IOException {
        Path p = dir.resolve(name + ".tgz");
        try (OutputStream o = Files.newOutputStream(p); GzipCompressorOutputStream gz = new GzipCompressorOutputStream(o);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(gz)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Map.Entry<String, String> f : files.entrySet()) {
                byte[] b = f.getValue().getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry e = new TarArchiveEntry("package/" + f.getKey());
                e.setSize(b.length);
                tar.putArchiveEntry(e);
                tar.write(b);
                tar.closeArchiveEntry();
            }
        }
        return p;
    }

    static Path sdist(Path dir, String name, Map<String, String> files) throws IOException {
        Path p = dir.resolve(name + ".tar.gz");
        try (OutputStream o = Files.newOutputStream(p); GzipCompressorOutputStream gz = new GzipCompressorOutputStream(o);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(gz)) {
            for (Map.Entry<String, String> f : files.entrySet()) {
                byte[] b = f.getValue().getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry e = new TarArchiveEntry(name + "/" + f.getKey());
                e.setSize(b.length);
                tar.putArchiveEntry(e);
                tar.write(b);
                tar.closeArchiveEntry();
            }
        }
        return p;
    }

    static Path wheel(Path dir, String name, Map<String, String> files) throws IOException {
        Path p = dir.resolve(name + "-py3-none-any.whl");
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(p)) {
            for (Map.Entry<String, String> f : files.entrySet()) {
                zip.putArchiveEntry(new ZipArchiveEntry(f.getKey()));
                zip.write(f.getValue().getBytes(StandardCharsets.UTF_8));
                zip.closeArchiveEntry();
            }
        }
        return p;
    }

    static String packageJson(String name, String version, String scriptsJson) {
        return "{\"name\":\"" + name + "\",\"version\":\"" + version + "\",\"main\":\"index.js\",\"scripts\":{" + scriptsJson + "}}";
    }

    static String pkgInfo(String name, String version) {
        return "Metadata-Version: 2.1\nName: " + name + "\nVersion: " + version + "\n\nlong text\n";
    }
}

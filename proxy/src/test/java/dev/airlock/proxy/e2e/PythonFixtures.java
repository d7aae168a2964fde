package dev.airlock.proxy.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A tiny pure-Python project in two versions, each as a wheel and an sdist that real pip
 * installs: valid METADATA / WHEEL / RECORD, and an sdist whose in-tree build backend needs
 * nothing from an index.
 */
final class PythonFixtures {
    static final String PROJECT = "airlock-demo";
    static final String MODULE = "airlock_demo";
    static final String REQUIRES_PYTHON = ">=3.8";

    /** One distribution file as the index publishes it. */
    record PyFile(String filename, String version, byte[] bytes, byte[] coreMetadata, Instant uploadTime) {
        String sha256() {
            return Digests.sha256Hex(bytes);
        }

        boolean isWheel() {
            return filename.endsWith(".whl");
        }

        /** Files live under a hash path, like the real file host, so URL rewriting keeps a deep path. */
        String path() {
            String h = sha256();
            return "/files/packages/" + h.substring(0, 2) + "/" + h.substring(2, 4) + "/" + h.substring(4) + "/" + filename;
        }
    }

    private PythonFixtures() {
    }

    static List<PyFile> files() {
        List<PyFile> files = new ArrayList<>();
        files.addAll(release("1.0.0", Instant.parse("2024-01-10T09:00:00.123456Z")));
        files.addAll(release("1.1.0", Instant.parse("2024-06-01T12:30:00Z")));
        return List.copyOf(files);
    }

    private static List<PyFile> release(String version, Instant uploaded) {
        byte[] metadata = metadata(version).getBytes(StandardCharsets.UTF_8);
        byte[] init = ("__version__ = \"" + version + "\"\n").getBytes(StandardCharsets.UTF_8);
        return List.of(
                new PyFile(MODULE + "-" + version + "-py3-none-any.whl", version, wheel(version, init, metadata),
                        metadata, uploaded),
                new PyFile(MODULE + "-" + version + ".tar.gz", version, sdist(version, init, metadata), null,
                        uploaded.plusSeconds(5)));
    }

    static String metadata(String version) {
        return "Metadata-Version: 2.1\n"
                + "Name: " + PROJECT + "\n"
                + "Version: " + version + "\n"
                + "Summary: Airlock end-to-end test fixture\n"
                + "License: Apache-2.0\n"
                + "Requires-Python: " + REQUIRES_PYTHON + "\n"
                + "\n";
    }

    private static byte[] wheel(String version, byte[] init, byte[] metadata) {
        String distInfo = MODULE + "-" + version + ".dist-info";
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put(MODULE + "/__init__.py", init);
        entries.put(distInfo + "/METADATA", metadata);
        entries.put(distInfo + "/WHEEL", ("Wheel-Version: 1.0\nGenerator: airlock-e2e-fixtures\n"
                + "Root-Is-Purelib: true\nTag: py3-none-any\n").getBytes(StandardCharsets.UTF_8));
        return zipWheel(distInfo, entries);
    }

    /** A wheel's bytes: these entries plus the RECORD that lists them, in one zip with fixed times. */
    static byte[] zipWheel(String distInfo, Map<String, byte[]> entries) {
        Map<String, byte[]> all = new LinkedHashMap<>(entries);
        StringBuilder record = new StringBuilder();
        all.forEach((path, data) -> record.append(path).append(',').append(Digests.recordSha256(data))
                .append(',').append(data.length).append('\n'));
        record.append(distInfo).append("/RECORD,,\n");
        all.put(distInfo + "/RECORD", record.toString().getBytes(StandardCharsets.UTF_8));

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> e : all.entrySet()) {
                ZipEntry entry = new ZipEntry(e.getKey());
                entry.setTime(1_700_000_000_000L);
                zip.putNextEntry(entry);
                zip.write(e.getValue());
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] sdist(String version, byte[] init, byte[] pkgInfo) {
        String root = MODULE + "-" + version + "/";
        return new TarGz()
                .add(root + "PKG-INFO", pkgInfo)
                .add(root + "pyproject.toml", "[build-system]\nrequires = []\n"
                        + "build-backend = \"airlock_e2e_backend\"\nbackend-path = [\".\"]\n\n"
                        + "[project]\nname = \"" + PROJECT + "\"\nversion = \"" + version + "\"\n"
                        + "requires-python = \"" + REQUIRES_PYTHON + "\"\n")
                .add(root + "airlock_e2e_backend.py", resource("airlock_e2e_backend.py"))
                .add(root + MODULE + "/__init__.py", init)
                .toBytes();
    }

    private static byte[] resource(String name) {
        try (InputStream in = PythonFixtures.class.getResourceAsStream("/e2e/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource e2e/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package dev.airlock.sandbox;

import dev.airlock.common.Hashes;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.List;

/**
 * The scripts shipped in the jar. They are copied to a directory named after their content hash, so
 * a container never sees a half-written file and a new version never overwrites one in use.
 */
final class Resources {
    static final List<String> HELPERS = List.of("airlock_init.py", "airlock_phase.py", "airlock_python.py",
            "airlock_node.py", "airlock_exercise.py", "airlock_exercise.js", "airlock_dns.py", "airlock_listener.py",
            "airlock_baits.py");
    static final String ROOTFS_SCRIPT = "image/build-rootfs.sh";

    private Resources() {
    }

    static byte[] read(String name) {
        try (InputStream in = Resources.class.getResourceAsStream(name.contains("/") ? name : "helpers/" + name)) {
            if (in == null) {
                throw new IllegalStateException("resource missing from the jar: " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A short content hash of the given resources, used to version caches derived from them. */
    static String hash(List<String> names) {
        MessageDigest digest = Hashes.sha256();
        for (String name : names) {
            digest.update(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            digest.update(read(name));
        }
        return Hashes.hex(digest.digest()).substring(0, 12);
    }

    /** The helper scripts, materialised read-only under the cache directory; bind-mounted at /opt/airlock. */
    static synchronized Path helpers(Path cacheDir) throws IOException {
        Path dir = cacheDir.resolve("helpers-" + hash(HELPERS));
        if (Files.isDirectory(dir)) {
            return dir;
        }
        Files.createDirectories(cacheDir);
        Path staging = Files.createTempDirectory(cacheDir, "helpers-staging");
        for (String name : HELPERS) {
            Path file = staging.resolve(name);
            Files.write(file, read(name));
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--r--r--"));
        }
        Files.setPosixFilePermissions(staging, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            if (!Files.isDirectory(dir)) {
                throw e;
            }
        }
        return dir;
    }
}

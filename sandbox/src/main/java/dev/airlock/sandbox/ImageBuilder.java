package dev.airlock.sandbox;

import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.transport.DockerHttpClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URLEncoder;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Builds the sandbox image without any container registry: debootstrap + apt-get in a chroot produce
 * a root filesystem archive (cached, keyed by the recipe's hash), which the engine imports as an image.
 */
final class ImageBuilder {
    static final String SUITE = "bookworm";
    private static final Pattern IMAGE_TAG = Pattern.compile("[a-z0-9][a-z0-9._/-]{0,127}:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    static final String RECIPE_LABEL = "dev.airlock.sandbox.recipe";
    private static final Duration ROOTFS_DEADLINE = Duration.ofMinutes(20);
    private static final List<String> CHANGES = List.of(
            "ENV PATH=/usr/local/bin:/usr/bin:/bin",
            "ENV LANG=C.UTF-8",
            "CMD [\"/bin/sh\"]");

    /**
     * @param rootfsReused whether the cached root filesystem archive was imported instead of built
     * @param alreadyPresent whether the engine already had the image, so nothing was done
     */
    record Result(String tag, boolean alreadyPresent, boolean rootfsReused, Duration took) {
        String describe() {
            if (alreadyPresent) {
                return "image " + tag + " already present";
            }
            return "built image " + tag + " in " + String.format("%.1f", took.toMillis() / 1000.0) + " s ("
                    + (rootfsReused ? "reused the cached root filesystem" : "root filesystem built from Debian packages") + ")";
        }
    }

    private final DockerEngine engine;
    private final Path cacheDir;
    private final Consumer<String> progress;

    ImageBuilder(DockerEngine engine, Path cacheDir, Consumer<String> progress) {
        this.engine = engine;
        this.cacheDir = cacheDir;
        this.progress = progress;
    }

    static void validateTag(String tag) {
        if (!IMAGE_TAG.matcher(tag).matches()) {
            throw new IllegalArgumentException("not a valid local image tag (name:tag): " + tag);
        }
    }

    /** Whether the engine has the image, built from the current recipe (an older recipe's image is stale). */
    boolean present(String tag) {
        try {
            InspectImageResponse image = engine.client().inspectImageCmd(tag).exec();
            Map<String, String> labels = image.getConfig() == null ? null : image.getConfig().getLabels();
            return labels != null && recipeHash().equals(labels.get(RECIPE_LABEL));
        } catch (NotFoundException e) {
            return false;
        }
    }

    private String imageId(String tag) {
        try {
            return engine.client().inspectImageCmd(tag).exec().getId();
        } catch (NotFoundException e) {
            return null;
        }
    }

    /** Each import is ~370 MB; the image it replaced is removed unless a container still uses it. */
    private void removeReplaced(String previous, String tag) {
        if (previous == null || previous.equals(imageId(tag))) {
            return;
        }
        try {
            engine.client().removeImageCmd(previous).exec();
        } catch (RuntimeException e) {
            progress.accept("kept the replaced image " + previous + ": " + e.getMessage());
        }
    }

    private static String recipeHash() {
        return Resources.hash(List.of(Resources.ROOTFS_SCRIPT));
    }

    synchronized Result ensure(String tag, boolean rebuild) throws IOException {
        validateTag(tag);
        long start = System.nanoTime();
        if (!rebuild && present(tag)) {
            return new Result(tag, true, true, Duration.ZERO);
        }
        Files.createDirectories(cacheDir);
        // Another Airlock process (a test JVM, a second server) may be building the same image right now.
        try (FileChannel lockFile = FileChannel.open(cacheDir.resolve("image-build.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock lock = lockFile.lock()) {
            if (!rebuild && present(tag)) {
                return new Result(tag, true, true, Duration.ofNanos(System.nanoTime() - start));
            }
            Path archive = rootfsArchive();
            boolean reused = Files.isRegularFile(archive);
            if (!reused) {
                buildRootfs(archive);
            } else {
                progress.accept("reusing cached root filesystem " + archive);
            }
            String previous = imageId(tag);
            importArchive(archive, tag);
            removeReplaced(previous, tag);
            return new Result(tag, false, reused, Duration.ofNanos(System.nanoTime() - start));
        }
    }

    Path rootfsArchive() {
        return cacheDir.resolve("rootfs-" + SUITE + "-" + recipeHash() + ".tar");
    }

    private void buildRootfs(Path archive) throws IOException {
        Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        if (!Integer.valueOf(0).equals(uid)) {
            throw new IOException("building the sandbox root filesystem needs root (debootstrap and chroot); run "
                    + "'bin/airlock sandbox build-image' once as root, or put a prepared archive at " + archive);
        }
        for (String tool : List.of("debootstrap", "chroot", "tar")) {
            if (!onPath(tool)) {
                throw new IOException("'" + tool + "' is missing; install it (apt-get install -y debootstrap) to build the sandbox image");
            }
        }
        String mirror = DebianMirror.find(Path.of("/etc/apt"), SUITE).orElseGet(() -> {
            progress.accept("no " + SUITE + " mirror in this host's apt sources; using " + DebianMirror.FALLBACK);
            return DebianMirror.FALLBACK;
        });
        Files.createDirectories(cacheDir);
        Path script = Files.createTempFile("airlock-build-rootfs", ".sh");
        try {
            Files.write(script, Resources.read(Resources.ROOTFS_SCRIPT));
            progress.accept("building the root filesystem from " + mirror + " (about a minute)");
            Process process = new ProcessBuilder("bash", script.toString(), mirror, SUITE, archive.toString())
                    .redirectErrorStream(true).start();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    progress.accept(line);
                }
            }
            if (!process.waitFor(ROOTFS_DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("building the root filesystem took longer than " + ROOTFS_DEADLINE);
            }
            if (process.exitValue() != 0 || !Files.isRegularFile(archive)) {
                throw new IOException("building the root filesystem failed (exit " + process.exitValue() + "); see the lines above");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while building the root filesystem", e);
        } finally {
            Files.deleteIfExists(script);
        }
    }

    private static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        for (String dir : (path == null ? "/usr/sbin:/usr/bin:/sbin:/bin" : path + ":/usr/sbin:/sbin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    /** {@code docker import --change ...} through the Engine API, streaming the archive from disk. */
    private void importArchive(Path archive, String tag) throws IOException {
        int colon = tag.lastIndexOf(':');
        StringBuilder query = new StringBuilder("/images/create?fromSrc=-")
                .append("&repo=").append(enc(tag.substring(0, colon)))
                .append("&tag=").append(enc(tag.substring(colon + 1)));
        for (String change : CHANGES) {
            query.append("&changes=").append(enc(change));
        }
        query.append("&changes=").append(enc("LABEL " + RECIPE_LABEL + "=" + recipeHash()));
        progress.accept("importing " + archive.getFileName() + " as " + tag);
        try (InputStream body = Files.newInputStream(archive)) {
            DockerHttpClient.Request request = DockerHttpClient.Request.builder()
                    .method(DockerHttpClient.Request.Method.POST)
                    .path(query.toString())
                    .putHeader("Content-Type", "application/x-tar")
                    .body(body)
                    .build();
            try (DockerHttpClient.Response response = engine.http().execute(request)) {
                String answer = new String(response.getBody().readAllBytes(), StandardCharsets.UTF_8);
                if (response.getStatusCode() != 200 || answer.contains("\"error\"")) {
                    throw new IOException("the engine refused the image import (HTTP " + response.getStatusCode() + "): "
                            + answer.substring(0, Math.min(500, answer.length())));
                }
            }
        }
        if (!present(tag)) {
            throw new IOException("the engine accepted the import but has no image " + tag);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}

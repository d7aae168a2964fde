package dev.airlock.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real, size-limited filesystem (tmpfs) for the full-disk tests of the stores: mounted in a
 * test's folder (needs root; skipped on a laptop without, a failure under CI), filled to the last
 * byte and freed again.
 */
public final class SmallFilesystem implements AutoCloseable {
    private final Path root;

    private SmallFilesystem(Path root) {
        this.root = root;
    }

    /** Mounts a tmpfs of {@code megabytes} at {@code <dir>/small}. */
    public static SmallFilesystem mount(Path dir, int megabytes) throws IOException, InterruptedException {
        Path at = Files.createDirectories(dir.resolve("small"));
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + megabytes + "m", "tmpfs", at.toString())
                .redirectErrorStream(true).start();
        boolean mounted = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        Requirements.require(mounted, "root, to mount a size-limited tmpfs");
        return new SmallFilesystem(at);
    }

    public Path root() {
        return root;
    }

    /** Writes {@code filler} until the filesystem says it is full. */
    public static void fill(Path filler) throws IOException {
        byte[] block = new byte[4096];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(block);
            }
        } catch (IOException full) {
            if (!String.valueOf(full.getMessage()).contains("No space left")) {
                throw full;
            }
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        new ProcessBuilder("umount", "-l", root.toString()).start().waitFor(30, TimeUnit.SECONDS);
    }
}

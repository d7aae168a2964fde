package dev.airlock.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;

/**
 * One run's host directories: {@code in} holds a private copy of the artifact, bind-mounted read-only at
 * {@code /in}; {@code out} is where the init writes its records. The copy exists because the store
 * writes artifacts 0600 and owned by Airlock's user, which neither the sandbox's unprivileged user nor
 * a container root mapped to another host uid (user namespaces) may open; the copy is 0644 in a 0755
 * directory. The run directory itself is 0711, so other local users cannot list it to find the copy.
 * Everything is removed on {@link #close}.
 */
final class RunDirectory implements AutoCloseable {
    private final Path root;
    private final Path in;
    private final Path out;

    private RunDirectory(Path root, Path in, Path out) {
        this.root = root;
        this.in = in;
        this.out = out;
    }

    /**
     * @throws SandboxUnavailableException ({@code input_unreadable}) when the artifact cannot be copied
     * @throws IOException                 when the host's temporary directory cannot be written
     */
    static RunDirectory stage(Path artifact, String containerName) throws IOException, SandboxUnavailableException {
        Path root = Files.createTempDirectory("airlock-sandbox-");
        try {
            Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx--x--x"));
            Path in = Files.createTempDirectory(root, "in-");
            Files.setPosixFilePermissions(in, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path out = Files.createTempDirectory(root, "out-");
            Path copy = in.resolve(containerName);
            try {
                if (!Files.isRegularFile(artifact)) {
                    throw new IOException("not a regular file");
                }
                Files.copy(artifact, copy);
                Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-r--r--"));
            } catch (IOException e) {
                throw new SandboxUnavailableException(SandboxUnavailableException.INPUT_UNREADABLE,
                        "cannot stage the artifact " + artifact + " for the sandbox: " + e, null, e);
            }
            return new RunDirectory(root, in, out);
        } catch (IOException | SandboxUnavailableException | RuntimeException e) {
            deleteTree(root);
            throw e;
        }
    }

    Path in() {
        return in;
    }

    Path out() {
        return out;
    }

    @Override
    public void close() {
        deleteTree(root);
    }

    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    LoggerFactory.getLogger(RunDirectory.class).debug("could not delete {}", p, e);
                }
            });
        } catch (IOException e) {
            LoggerFactory.getLogger(RunDirectory.class).warn("could not clean up {}: {}", dir, e.getMessage());
        }
    }
}

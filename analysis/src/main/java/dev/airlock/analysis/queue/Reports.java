package dev.airlock.analysis.queue;

import dev.airlock.model.ArtifactFile;
import dev.airlock.model.PackageCoordinate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/** Each analysis's JSON report under {@code <data>/analysis/reports/<ecosystem>/<name>/}, for people to read. */
final class Reports {
    private final Path root;

    Reports(Path root) throws IOException {
        this.root = Files.createDirectories(root);
    }

    void write(PackageCoordinate c, ArtifactFile file, String json) throws IOException {
        Path dir = root.resolve(c.ecosystem().id()).resolve(c.name().replace('/', '+'));
        Files.createDirectories(dir);
        String name = file == null ? c.version() + ".json" : c.version() + "+" + file.name() + ".json";
        Files.writeString(dir.resolve(name), json);
    }

    /** Removes reports older than the retention (null: keeps them all). */
    void prune(Duration retention) throws IOException {
        if (retention == null) {
            return;
        }
        Instant cutoff = Instant.now().minus(retention);
        try (var files = Files.walk(root)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                if (Files.getLastModifiedTime(p).toInstant().isBefore(cutoff)) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}

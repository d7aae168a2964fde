package dev.airlock.proxy.store;

import java.nio.file.Path;

/** A verified artifact in the content-addressed store. */
public record StoredArtifact(Path path, String sha256, long size) {
}

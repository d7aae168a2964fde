package dev.airlock.policy;

/** Who asked for an artifact: kept for the blast-radius view when a version turns out bad. */
public record DownloadContext(String clientAddress, String userAgent, String file) {
}

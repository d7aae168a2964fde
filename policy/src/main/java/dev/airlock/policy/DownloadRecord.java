package dev.airlock.policy;

import java.time.Instant;

/** One time a version was served: the blast-radius record. */
public record DownloadRecord(Instant at, String clientAddress, String userAgent, String file) {
}

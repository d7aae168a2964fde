package dev.airlock.config;

import java.time.Duration;

/**
 * How Airlock talks to the public registries.
 *
 * @param connectTimeout   TCP connect limit per attempt
 * @param requestTimeout   limit for a metadata request (headers and body) per attempt
 * @param retries          extra attempts for idempotent GETs after a connection failure or 5xx
 * @param maxMetadataBytes largest metadata document accepted from an upstream; bigger ones are refused (502)
 * @param maxArtifactBytes largest artifact accepted from an upstream
 * @param maxConcurrent    bulkhead: concurrent upstream calls per registry
 * @param metadataTtl      how long metadata is served from cache before revalidation
 */
public record UpstreamConfig(Duration connectTimeout, Duration requestTimeout, Integer retries,
                             Long maxMetadataBytes, Long maxArtifactBytes, Integer maxConcurrent,
                             Duration metadataTtl) {
    public UpstreamConfig {
        connectTimeout = connectTimeout == null ? Duration.ofSeconds(5) : connectTimeout;
        requestTimeout = requestTimeout == null ? Duration.ofSeconds(30) : requestTimeout;
        retries = retries == null ? 2 : retries;
        maxMetadataBytes = maxMetadataBytes == null ? 64L * 1024 * 1024 : maxMetadataBytes;
        maxArtifactBytes = maxArtifactBytes == null ? 4L * 1024 * 1024 * 1024 : maxArtifactBytes;
        maxConcurrent = maxConcurrent == null ? 64 : maxConcurrent;
        metadataTtl = metadataTtl == null ? Duration.ofSeconds(60) : metadataTtl;
    }

    public static UpstreamConfig defaults() {
        return new UpstreamConfig(null, null, null, null, null, null, null);
    }
}

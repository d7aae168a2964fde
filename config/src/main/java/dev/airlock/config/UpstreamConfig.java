package dev.airlock.config;

import java.time.Duration;

/**
 * How Airlock talks to the public registries.
 *
 * @param connectTimeout        TCP connect limit per attempt
 * @param requestTimeout        limit for the response headers of any request, and for a whole metadata
 *                              request (headers and body) per attempt
 * @param retries               extra attempts for idempotent GETs after a connection failure or 5xx; an
 *                              artifact is never retried once part of its body was stored
 * @param maxMetadataBytes      largest metadata document accepted from an upstream; bigger ones are refused (502)
 * @param maxArtifactBytes      largest artifact accepted from an upstream
 * @param maxConcurrent         bulkhead: concurrent upstream calls per registry
 * @param metadataTtl           how long metadata is served from cache before revalidation
 * @param bodyIdleTimeout       a response body that delivers no byte for this long is abandoned (504)
 * @param maxConnectionsPerHost concurrent calls, and so open connections, to one upstream host
 * @param notFoundTtl           how long an upstream 404/410 for a metadata document is remembered
 */
public record UpstreamConfig(Duration connectTimeout, Duration requestTimeout, Integer retries,
                             Long maxMetadataBytes, Long maxArtifactBytes, Integer maxConcurrent,
                             Duration metadataTtl, Duration bodyIdleTimeout, Integer maxConnectionsPerHost,
                             Duration notFoundTtl) {
    public UpstreamConfig {
        connectTimeout = connectTimeout == null ? Duration.ofSeconds(5) : connectTimeout;
        requestTimeout = requestTimeout == null ? Duration.ofSeconds(30) : requestTimeout;
        retries = retries == null ? 2 : retries;
        maxMetadataBytes = maxMetadataBytes == null ? 64L * 1024 * 1024 : maxMetadataBytes;
        maxArtifactBytes = maxArtifactBytes == null ? 4L * 1024 * 1024 * 1024 : maxArtifactBytes;
        maxConcurrent = maxConcurrent == null ? 64 : maxConcurrent;
        metadataTtl = metadataTtl == null ? Duration.ofSeconds(60) : metadataTtl;
        bodyIdleTimeout = bodyIdleTimeout == null ? Duration.ofSeconds(30) : bodyIdleTimeout;
        maxConnectionsPerHost = maxConnectionsPerHost == null ? 32 : maxConnectionsPerHost;
        notFoundTtl = notFoundTtl == null ? Duration.ofSeconds(30) : notFoundTtl;
        if (bodyIdleTimeout.isNegative() || bodyIdleTimeout.isZero() || maxConnectionsPerHost <= 0 || notFoundTtl.isNegative()) {
            throw new IllegalArgumentException("upstream.bodyIdleTimeout and upstream.maxConnectionsPerHost must be"
                    + " positive, upstream.notFoundTtl must not be negative");
        }
    }

    /** The settings that existed before body, per-host and not-found limits; those get their defaults. */
    public UpstreamConfig(Duration connectTimeout, Duration requestTimeout, Integer retries, Long maxMetadataBytes,
                          Long maxArtifactBytes, Integer maxConcurrent, Duration metadataTtl) {
        this(connectTimeout, requestTimeout, retries, maxMetadataBytes, maxArtifactBytes, maxConcurrent, metadataTtl,
                null, null, null);
    }

    public static UpstreamConfig defaults() {
        return new UpstreamConfig(null, null, null, null, null, null, null, null, null, null);
    }
}

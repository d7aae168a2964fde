package dev.airlock.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

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
 * @param proxy                 HTTP proxy every upstream call goes through ({@code http://host:port}; https
 *                              upstreams are reached with CONNECT); null: {@code HTTPS_PROXY} / {@code HTTP_PROXY}
 *                              from the environment, or direct
 * @param noProxy               hosts reached directly despite a proxy ({@code example.com}, {@code .example.com},
 *                              {@code *}); null: {@code NO_PROXY} from the environment when the proxy came from there
 * @param caFile                PEM bundle of extra certificate authorities trusted for upstream TLS, on top of the
 *                              JDK's (a corporate TLS-inspecting proxy, a private mirror); null: the JDK's only
 */
public record UpstreamConfig(Duration connectTimeout, Duration requestTimeout, Integer retries,
                             Long maxMetadataBytes, Long maxArtifactBytes, Integer maxConcurrent,
                             Duration metadataTtl, Duration bodyIdleTimeout, Integer maxConnectionsPerHost,
                             Duration notFoundTtl, URI proxy, List<String> noProxy, Path caFile) {
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
        if (proxy != null && (!"http".equals(proxy.getScheme()) || proxy.getHost() == null || proxy.getPort() < 0)) {
            throw new ConfigException("upstream.proxy must be http://host:port, got '" + proxy + "'");
        }
        noProxy = noProxy == null ? null : List.copyOf(noProxy);
    }

    /** Without proxy and CA settings: direct connections, the JDK's trust store. */
    public UpstreamConfig(Duration connectTimeout, Duration requestTimeout, Integer retries, Long maxMetadataBytes,
                          Long maxArtifactBytes, Integer maxConcurrent, Duration metadataTtl, Duration bodyIdleTimeout,
                          Integer maxConnectionsPerHost, Duration notFoundTtl) {
        this(connectTimeout, requestTimeout, retries, maxMetadataBytes, maxArtifactBytes, maxConcurrent, metadataTtl,
                bodyIdleTimeout, maxConnectionsPerHost, notFoundTtl, null, null, null);
    }

    /** The settings that existed before body, per-host and not-found limits; those get their defaults. */
    public UpstreamConfig(Duration connectTimeout, Duration requestTimeout, Integer retries, Long maxMetadataBytes,
                          Long maxArtifactBytes, Integer maxConcurrent, Duration metadataTtl) {
        this(connectTimeout, requestTimeout, retries, maxMetadataBytes, maxArtifactBytes, maxConcurrent, metadataTtl,
                null, null, null);
    }

    public static UpstreamConfig defaults() {
        return new UpstreamConfig(null, null, null, null, null, null, null, null, null, null, null, null, null);
    }
}

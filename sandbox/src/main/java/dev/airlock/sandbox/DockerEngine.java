package dev.airlock.sandbox;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import com.github.dockerjava.transport.DockerHttpClient;
import java.time.Duration;

/**
 * The connection to the Docker Engine ({@code DOCKER_HOST} or the default socket). Connecting never
 * throws: an unreachable engine is a state the caller reports, not an error at construction.
 */
final class DockerEngine implements AutoCloseable {
    /** Image imports stream hundreds of MB; the per-call deadlines live in the callers. */
    static final Duration WORK_TIMEOUT = Duration.ofMinutes(10);

    private final DockerClientConfig config;
    private final DockerHttpClient http;
    private final DockerClient client;

    private DockerEngine(DockerClientConfig config, DockerHttpClient http) {
        this.config = config;
        this.http = http;
        this.client = DockerClientImpl.getInstance(config, http);
    }

    static DockerEngine connect() {
        return connect(WORK_TIMEOUT);
    }

    /** A connection whose every call (connect and answer) is bounded by {@code timeout}; probes use a short one. */
    static DockerEngine connect(Duration timeout) {
        DockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().build();
        DockerHttpClient http = new ApacheDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost())
                .sslConfig(config.getSSLConfig())
                .maxConnections(16)
                .connectionTimeout(timeout.compareTo(Duration.ofSeconds(5)) < 0 ? timeout : Duration.ofSeconds(5))
                .responseTimeout(timeout)
                .build();
        return new DockerEngine(config, http);
    }

    DockerClient client() {
        return client;
    }

    DockerHttpClient http() {
        return http;
    }

    String host() {
        return config.getDockerHost().toString();
    }

    @Override
    public void close() {
        try {
            client.close();
        } catch (Exception e) {
            // Closing a dead connection has nothing to report.
        }
    }
}

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
    private final DockerClientConfig config;
    private final DockerHttpClient http;
    private final DockerClient client;

    private DockerEngine(DockerClientConfig config, DockerHttpClient http) {
        this.config = config;
        this.http = http;
        this.client = DockerClientImpl.getInstance(config, http);
    }

    static DockerEngine connect() {
        DockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().build();
        DockerHttpClient http = new ApacheDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost())
                .sslConfig(config.getSSLConfig())
                .maxConnections(16)
                .connectionTimeout(Duration.ofSeconds(5))
                // Image imports stream hundreds of MB; the per-call deadlines live in the callers.
                .responseTimeout(Duration.ofMinutes(10))
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

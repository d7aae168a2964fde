package dev.airlock.config;

import java.time.Duration;

/**
 * The sandbox section ({@code sandbox.*}).
 *
 * @param runtime        container runtime: {@code runc} (default) or {@code runsc} (gVisor)
 * @param image          image tag; default {@code airlock-sandbox:<version>}
 * @param installTimeout deadline of the install phase
 * @param importTimeout  deadline of the import phase
 * @param concurrency    bulkhead: sandboxes running at once
 * @param memoryMb       memory limit per container
 * @param pidsLimit      process limit per container
 */
public record SandboxConfig(String runtime, String image, Duration installTimeout, Duration importTimeout,
                            Integer concurrency, Integer memoryMb, Integer pidsLimit) {
    public SandboxConfig {
        runtime = runtime == null ? "runc" : runtime;
        installTimeout = installTimeout == null ? Duration.ofSeconds(60) : installTimeout;
        importTimeout = importTimeout == null ? Duration.ofSeconds(30) : importTimeout;
        concurrency = concurrency == null ? 1 : concurrency;
        memoryMb = memoryMb == null ? 1024 : memoryMb;
        pidsLimit = pidsLimit == null ? ("runsc".equals(runtime) ? 2048 : 256) : pidsLimit;
    }

    public static SandboxConfig defaults() {
        return new SandboxConfig(null, null, null, null, null, null, null);
    }
}

package dev.airlock.config;

import java.time.Duration;

/**
 * The sandbox section ({@code sandbox.*}).
 *
 * @param runtime        container runtime: {@code auto} (default: {@code runsc}, i.e. gVisor, when the engine
 *                       has it registered, else {@code runc}), {@code runc} or {@code runsc}
 * @param image          image tag; default {@code airlock-sandbox:<version>}
 * @param installTimeout deadline of the install phase
 * @param importTimeout  deadline of the import phase
 * @param concurrency    bulkhead: sandboxes running at once
 * @param memoryMb       memory limit per container
 * @param pidsLimit      process limit per container; null with {@code auto} unless set, because the
 *                       default depends on the runtime {@code auto} resolves to: see {@link #pidsLimitFor}
 */
public record SandboxConfig(String runtime, String image, Duration installTimeout, Duration importTimeout,
                            Integer concurrency, Integer memoryMb, Integer pidsLimit) {
    public static final String AUTO = "auto";

    public SandboxConfig {
        runtime = runtime == null || runtime.isBlank() ? AUTO : runtime;
        installTimeout = installTimeout == null ? Duration.ofSeconds(60) : installTimeout;
        importTimeout = importTimeout == null ? Duration.ofSeconds(30) : importTimeout;
        concurrency = concurrency == null ? 1 : concurrency;
        memoryMb = memoryMb == null ? 1024 : memoryMb;
        if (pidsLimit == null && !AUTO.equals(runtime)) {
            pidsLimit = defaultPidsLimit(runtime);
        }
    }

    public static SandboxConfig defaults() {
        return new SandboxConfig(null, null, null, null, null, null, null);
    }

    /**
     * The process limit for containers on {@code effectiveRuntime}: {@code sandbox.pidsLimit} when set,
     * else 2048 under gVisor (whose own threads count against the limit) and 256 otherwise.
     */
    public int pidsLimitFor(String effectiveRuntime) {
        return pidsLimit != null ? pidsLimit : defaultPidsLimit(effectiveRuntime);
    }

    private static int defaultPidsLimit(String runtime) {
        return "runsc".equals(runtime) ? 2048 : 256;
    }
}

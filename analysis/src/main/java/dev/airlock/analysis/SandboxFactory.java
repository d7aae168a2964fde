package dev.airlock.analysis;

import dev.airlock.config.SandboxConfig;
import dev.airlock.sandbox.Sandbox;
import java.lang.reflect.Method;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the Docker sandbox ({@code dev.airlock.sandbox.DockerSandbox.create(SandboxConfig)}) when
 * the sandbox module provides it. Looked up by name so the analysis builds and runs static-only
 * against any sandbox module version.
 */
public final class SandboxFactory {
    private static final Logger LOG = LoggerFactory.getLogger(SandboxFactory.class);

    private SandboxFactory() {
    }

    public static Optional<Sandbox> docker(SandboxConfig config) {
        try {
            Class<?> c = Class.forName("dev.airlock.sandbox.DockerSandbox");
            Method create = c.getMethod("create", SandboxConfig.class);
            return Optional.of((Sandbox) create.invoke(null, config));
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            LOG.debug("no Docker sandbox: {}", e.toString());
            return Optional.empty();
        }
    }
}

package dev.airlock.config;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The default npm upstream is whatever the host's own npm is configured to use, so Airlock never
 * hard-codes a registry and follows an organisation's existing npm settings.
 */
public final class NpmRegistryDetector {
    private NpmRegistryDetector() {
    }

    /** Runs {@code npm config get registry}; empty when npm is absent, fails or prints no URL. */
    public static Optional<URI> detect() {
        try {
            Process p = new ProcessBuilder("npm", "config", "get", "registry")
                    .redirectErrorStream(false)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            p.getOutputStream().close();
            String out;
            try (InputStream in = p.getInputStream()) {
                out = new String(in.readNBytes(4096), StandardCharsets.UTF_8).trim();
            }
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Optional.empty();
            }
            if (p.exitValue() != 0 || !(out.startsWith("http://") || out.startsWith("https://"))) {
                return Optional.empty();
            }
            return Optional.of(URI.create(out.endsWith("/") ? out : out + "/"));
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}

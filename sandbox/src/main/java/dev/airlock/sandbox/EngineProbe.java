package dev.airlock.sandbox;

import com.github.dockerjava.api.model.Info;
import com.github.dockerjava.api.model.Version;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Asks the engine whether it answers and which runtimes it has, within {@link #TIMEOUT} in all. The
 * probe has its own connection with short timeouts, because the working connection allows minutes
 * per call (image imports) and a probe must never hold a caller that long.
 */
final class EngineProbe implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(3);

    private final DockerEngine engine;
    private final String configuredRuntime;

    EngineProbe(DockerEngine engine, String configuredRuntime) {
        this.engine = engine;
        this.configuredRuntime = configuredRuntime;
    }

    EngineStatus probe() {
        // A thread per probe, not a pool: a probe stuck past its deadline must not delay the next one.
        CompletableFuture<EngineStatus> answer = CompletableFuture.supplyAsync(this::probeNow, task -> {
            Thread thread = new Thread(task, "airlock-engine-probe");
            thread.setDaemon(true);
            thread.start();
        });
        try {
            return answer.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            answer.cancel(true);
            return EngineStatus.unreachable("the Docker engine at " + engine.host() + " did not answer within "
                    + TIMEOUT.toSeconds() + " s (dynamic analysis unavailable; new versions stay pending)");
        } catch (ExecutionException e) {
            return unreachable(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return EngineStatus.unreachable("interrupted while probing the Docker engine at " + engine.host());
        }
    }

    private EngineStatus probeNow() {
        try {
            engine.client().pingCmd().exec();
            Version version = engine.client().versionCmd().exec();
            Info info = engine.client().infoCmd().exec();
            Map<String, ?> registered = info.getRuntimes();
            Set<String> runtimes = registered == null ? Set.of() : new TreeSet<>(registered.keySet());
            String versionText = version.getVersion() + " (API " + version.getApiVersion() + ")";
            RuntimeChoice choice = RuntimeChoice.resolve(configuredRuntime, runtimes);
            return new EngineStatus(true, versionText, String.join(" ", runtimes), choice.runtime(), choice.warning(),
                    choice.problem() == null ? null : SandboxUnavailableException.RUNTIME_MISSING, choice.problem());
        } catch (RuntimeException e) {
            return unreachable(e);
        }
    }

    private EngineStatus unreachable(Throwable e) {
        return EngineStatus.unreachable("no Docker engine reachable at " + engine.host() + ": " + rootMessage(e)
                + " (dynamic analysis unavailable; new versions stay pending)");
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    String host() {
        return engine.host();
    }

    @Override
    public void close() {
        engine.close();
    }
}

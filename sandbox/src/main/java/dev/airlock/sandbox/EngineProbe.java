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
 * Asks the engine whether it answers and which runtimes it has. The probe has its own connection whose
 * calls time out after {@link #TIMEOUT}, because the working connection allows minutes per call (image
 * imports) and a probe must never hold a caller that long.
 */
final class EngineProbe implements AutoCloseable {
    /** Bounds each call of a probe (connect, then the answer) and how long a re-check holds its caller. */
    static final Duration TIMEOUT = Duration.ofSeconds(3);

    private final DockerEngine engine;
    private final String configuredRuntime;

    EngineProbe(DockerEngine engine, String configuredRuntime) {
        this.engine = engine;
        this.configuredRuntime = configuredRuntime;
    }

    /** Starts a probe on its own thread; a probe stuck past its deadline must not delay the next one. */
    CompletableFuture<EngineStatus> start() {
        return CompletableFuture.supplyAsync(this::probeNow, task -> {
            Thread thread = new Thread(task, "airlock-engine-probe");
            thread.setDaemon(true);
            thread.start();
        });
    }

    /** The probe's answer, or an unreachable status when it has none within {@code wait}. */
    EngineStatus await(CompletableFuture<EngineStatus> answer, Duration wait) {
        try {
            return answer.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return EngineStatus.unreachable("the Docker engine at " + engine.host() + " did not answer within "
                    + wait.toSeconds() + " s (dynamic analysis unavailable; new versions stay pending)");
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

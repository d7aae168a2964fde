package dev.airlock.proxy;

import dev.airlock.analysis.ArtifactSource;
import dev.airlock.config.AirlockConfig;
import dev.airlock.policy.VerdictGate;
import dev.airlock.proxy.http.Route;
import dev.airlock.proxy.metrics.AirlockMetrics;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What the proxy's wiring needs from policy: the gate every route asks, npm audit's advisories
 * of blocked versions, and the routes policy adds (admin API, UI). {@link Firewall} is the one
 * production side; {@link Airlock#start(AirlockConfig, Opener)} takes another to put the proxy in
 * front of a different gate.
 */
public interface PolicySide {
    VerdictGate gate();

    /** Bulk request {@code {name: [versions]}} to npm advisories of the versions policy blocked. */
    default Function<Map<String, List<String>>, Map<String, List<Map<String, Object>>>> blockedAdvisories() {
        return request -> Map.of();
    }

    /** Routes served besides the registries' (answered before them, in this order). */
    default List<Route> routes() {
        return List.of();
    }

    /** Opens a policy side over the proxy's shared parts; what it must close it adds to {@code closeables}. */
    @FunctionalInterface
    interface Opener {
        PolicySide open(AirlockConfig config, AirlockMetrics metrics, ArtifactSource source, List<AutoCloseable> closeables)
                throws IOException;
    }
}

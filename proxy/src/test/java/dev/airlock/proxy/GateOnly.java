package dev.airlock.proxy;

import dev.airlock.policy.VerdictGate;

/** A policy side that is only a gate: the proxy's filtering and serving, without analysis or admin API. */
public final class GateOnly {
    private GateOnly() {
    }

    public static PolicySide.Opener of(VerdictGate gate) {
        return (config, metrics, source, closeables) -> () -> gate;
    }
}

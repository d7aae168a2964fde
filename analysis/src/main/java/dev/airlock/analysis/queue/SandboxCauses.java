package dev.airlock.analysis.queue;

import dev.airlock.sandbox.SandboxUnavailableException;

/** The stable cause code of a sandbox failure for the status view and metrics: {@code sandbox_<cause>}. */
final class SandboxCauses {
    private SandboxCauses() {
    }

    static String of(SandboxUnavailableException e) {
        return "sandbox_" + e.cause();
    }
}

package dev.airlock.proxy;

import dev.airlock.model.Ecosystem;
import dev.airlock.sandbox.BehaviorReport;
import dev.airlock.sandbox.Sandbox;
import dev.airlock.sandbox.SandboxUnavailableException;
import java.nio.file.Path;

/**
 * The sandbox of a proxy that leaves analysis to the workers of a shared store
 * ({@code analysis.enabled: false}): there is none here, and nothing probes for a container engine.
 */
final class NoLocalSandbox implements Sandbox {
    @Override
    public boolean available() {
        return false;
    }

    @Override
    public String status() {
        return "none on this node: analysis runs on the workers (analysis.enabled is off)";
    }

    @Override
    public BehaviorReport run(Path artifact, Ecosystem ecosystem) throws SandboxUnavailableException {
        throw new SandboxUnavailableException("this node does not analyse (analysis.enabled is off)");
    }
}

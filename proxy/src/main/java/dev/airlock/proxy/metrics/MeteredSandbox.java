package dev.airlock.proxy.metrics;

import dev.airlock.model.Ecosystem;
import dev.airlock.sandbox.BehaviorReport;
import dev.airlock.sandbox.Sandbox;
import dev.airlock.sandbox.SandboxUnavailableException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Wraps the sandbox so that every run is counted, timed and classified (completed, timeout, oom,
 * error, unavailable) without the sandbox module knowing about metrics. The worst phase status
 * decides the outcome: a run whose install timed out is a timeout even if the import completed.
 */
public final class MeteredSandbox implements Sandbox {
    private final Sandbox delegate;
    private final AirlockMetrics metrics;

    public MeteredSandbox(Sandbox delegate, AirlockMetrics metrics) {
        this.delegate = delegate;
        this.metrics = metrics;
    }

    @Override
    public boolean available() {
        return delegate.available();
    }

    @Override
    public String status() {
        return delegate.status();
    }

    @Override
    public boolean recheck() {
        return delegate.recheck();
    }

    @Override
    public BehaviorReport run(Path artifact, Ecosystem ecosystem) throws IOException, SandboxUnavailableException {
        return run(artifact, null, ecosystem);
    }

    @Override
    public BehaviorReport run(Path artifact, String fileName, Ecosystem ecosystem) throws IOException, SandboxUnavailableException {
        long start = System.nanoTime();
        try {
            BehaviorReport report = fileName == null ? delegate.run(artifact, ecosystem) : delegate.run(artifact, fileName, ecosystem);
            metrics.sandboxRun(ecosystem.id(), outcome(report), Duration.ofNanos(System.nanoTime() - start));
            return report;
        } catch (SandboxUnavailableException e) {
            metrics.sandboxRun(ecosystem.id(), "unavailable", Duration.ofNanos(System.nanoTime() - start));
            throw e;
        } catch (IOException | RuntimeException e) {
            metrics.sandboxRun(ecosystem.id(), "error", Duration.ofNanos(System.nanoTime() - start));
            throw e;
        }
    }

    static String outcome(BehaviorReport report) {
        String worst = "completed";
        if (report == null) {
            return "error";
        }
        for (BehaviorReport.Phase p : report.phases()) {
            String s = p.status() == null ? "error" : p.status();
            if (rank(s) > rank(worst)) {
                worst = s;
            }
        }
        return worst;
    }

    private static int rank(String status) {
        switch (status) {
            case "completed": return 0;
            case "timeout": return 1;
            case "oom": return 2;
            default: return 3;
        }
    }

    @Override
    public void close() {
        delegate.close();
    }
}

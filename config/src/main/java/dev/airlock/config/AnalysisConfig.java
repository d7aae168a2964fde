package dev.airlock.config;

import java.time.Duration;

/**
 * The analysis section ({@code analysis.*}).
 *
 * @param concurrency  analysis jobs running at once
 * @param jobDeadline  deadline of one job (static and sandbox together)
 * @param retention    how long analysed artifacts and reports are kept (null: forever)
 * @param requireSandbox true (the default): a version that needs its full analysis stays pending
 *                     while no sandbox runs; false: it is released on the static rules alone
 * @param enabled      true (the default): this node runs analysis jobs; false (a proxy of a shared
 *                     deployment, {@code store.url} set): it only queues them for the workers
 */
public record AnalysisConfig(Integer concurrency, Duration jobDeadline, Duration retention, Boolean requireSandbox,
                             Boolean enabled) {
    public AnalysisConfig {
        enabled = enabled == null ? Boolean.TRUE : enabled;
        concurrency = concurrency == null ? 1 : concurrency;
        jobDeadline = jobDeadline == null ? Duration.ofMinutes(5) : jobDeadline;
        requireSandbox = requireSandbox == null ? Boolean.TRUE : requireSandbox;
    }

    public AnalysisConfig(Integer concurrency, Duration jobDeadline, Duration retention, Boolean requireSandbox) {
        this(concurrency, jobDeadline, retention, requireSandbox, null);
    }

    public AnalysisConfig(Integer concurrency, Duration jobDeadline, Duration retention) {
        this(concurrency, jobDeadline, retention, null, null);
    }

    public static AnalysisConfig defaults() {
        return new AnalysisConfig(null, null, null, null, null);
    }

    /** The same section with analysis on or off on this node (the worker role turns it on). */
    public AnalysisConfig withEnabled(boolean on) {
        return new AnalysisConfig(concurrency, jobDeadline, retention, requireSandbox, on);
    }
}

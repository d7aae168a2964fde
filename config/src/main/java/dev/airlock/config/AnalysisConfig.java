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
 */
public record AnalysisConfig(Integer concurrency, Duration jobDeadline, Duration retention, Boolean requireSandbox) {
    public AnalysisConfig {
        concurrency = concurrency == null ? 1 : concurrency;
        jobDeadline = jobDeadline == null ? Duration.ofMinutes(5) : jobDeadline;
        requireSandbox = requireSandbox == null ? Boolean.TRUE : requireSandbox;
    }

    public AnalysisConfig(Integer concurrency, Duration jobDeadline, Duration retention) {
        this(concurrency, jobDeadline, retention, null);
    }

    public static AnalysisConfig defaults() {
        return new AnalysisConfig(null, null, null, null);
    }
}

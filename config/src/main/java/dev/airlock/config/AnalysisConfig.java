package dev.airlock.config;

import java.time.Duration;

/**
 * The analysis section ({@code analysis.*}).
 *
 * @param concurrency  analysis jobs running at once
 * @param jobDeadline  deadline of one job (static and sandbox together)
 * @param retention    how long analysed artifacts and reports are kept (null: forever)
 */
public record AnalysisConfig(Integer concurrency, Duration jobDeadline, Duration retention) {
    public AnalysisConfig {
        concurrency = concurrency == null ? 1 : concurrency;
        jobDeadline = jobDeadline == null ? Duration.ofMinutes(5) : jobDeadline;
    }

    public static AnalysisConfig defaults() {
        return new AnalysisConfig(null, null, null);
    }
}

package dev.airlock.policy.review;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The overview's history over a range.
 *
 * @param from          the start of the first step
 * @param to            the end of the last step
 * @param stepSeconds   the length of each step
 * @param points        one per step, oldest first; empty maps where nothing was recorded
 * @param totals        the counters summed over the range
 * @param timeToVerdict first sight to verdict over the range
 */
public record Overview(Instant from, Instant to, long stepSeconds, List<Point> points, Map<String, Long> totals,
                       Latency timeToVerdict) {
    /** One step: counters summed, gauges as last sampled. */
    public record Point(Instant at, Map<String, Long> counters, Map<String, Long> gauges) {
    }

    /** Percentiles as bucket upper bounds in seconds (null without samples; -1 beyond a week). */
    public record Latency(long samples, Long p50Seconds, Long p95Seconds) {
    }
}

package dev.airlock.policy.review;

import java.util.Map;
import java.util.TreeMap;

/**
 * What happened in one stretch of time: counters add up, gauges keep their last sample, and the
 * times from first sight to verdict are kept as a histogram so buckets merge without the samples.
 *
 * @param counters events by series, e.g. {@code decided.allowed}, {@code refused.typosquat}, {@code sandbox.runs}
 * @param gauges   last sampled values, e.g. {@code state.pending}, {@code queue.depth}
 * @param ttv      counts per {@link TimeToVerdict} bucket
 */
public record HistoryBucket(Map<String, Long> counters, Map<String, Long> gauges, long[] ttv) {
    public HistoryBucket {
        counters = counters == null ? new TreeMap<>() : new TreeMap<>(counters);
        gauges = gauges == null ? new TreeMap<>() : new TreeMap<>(gauges);
        ttv = ttv == null || ttv.length != TimeToVerdict.BOUNDS_SECONDS.length + 1
                ? new long[TimeToVerdict.BOUNDS_SECONDS.length + 1] : ttv.clone();
    }

    public static HistoryBucket empty() {
        return new HistoryBucket(null, null, null);
    }

    /** This bucket followed by {@code later}: counters and histograms add up, the later gauges win. */
    public HistoryBucket plus(HistoryBucket later) {
        Map<String, Long> c = new TreeMap<>(counters);
        later.counters.forEach((k, v) -> c.merge(k, v, Long::sum));
        Map<String, Long> g = new TreeMap<>(gauges);
        g.putAll(later.gauges);
        long[] t = ttv.clone();
        for (int i = 0; i < t.length; i++) {
            t[i] += later.ttv[i];
        }
        return new HistoryBucket(c, g, t);
    }
}

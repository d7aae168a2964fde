package dev.airlock.policy.review;

import java.time.Duration;

/**
 * The histogram of times from first sight to verdict: fixed bucket bounds, so that minute buckets
 * merge into hours and hours into days without keeping every sample. A percentile is reported as
 * the upper bound of the bucket it falls in (so "p95 under 10 min", never an invented value).
 */
public final class TimeToVerdict {
    static final long[] BOUNDS_SECONDS = {1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 43200, 86400,
            172800, 604800};

    private TimeToVerdict() {
    }

    public static int bucketOf(Duration d) {
        long s = Math.max(0, d.toMillis()) / 1000;
        for (int i = 0; i < BOUNDS_SECONDS.length; i++) {
            if (s < BOUNDS_SECONDS[i]) {
                return i;
            }
        }
        return BOUNDS_SECONDS.length;
    }

    /** The upper bound in seconds of the bucket holding the {@code p}-th percentile; null with no samples, -1 beyond a week. */
    public static Long percentileSeconds(long[] counts, double p) {
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        if (total == 0) {
            return null;
        }
        long rank = (long) Math.ceil(p / 100.0 * total);
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return i < BOUNDS_SECONDS.length ? BOUNDS_SECONDS[i] : -1L;
            }
        }
        return -1L;
    }

    public static long samples(long[] counts) {
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        return total;
    }
}

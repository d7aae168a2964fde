package dev.airlock.policy.review;

import dev.airlock.policy.store.StoreJson;
import dev.airlock.policy.store.VerdictStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The overview's history, kept in the policy store: events are counted in memory and written to
 * a minute bucket once a minute together with sampled gauges; minute buckets older than
 * {@link #MINUTES_KEPT} are merged into hour buckets, which are kept for {@link #HOURS_KEPT}.
 * A side path: a failure to write it is logged and never touches a verdict.
 */
public final class OverviewHistory implements AutoCloseable {
    public static final Duration MINUTES_KEPT = Duration.ofHours(48);
    public static final Duration HOURS_KEPT = Duration.ofDays(90);
    private static final Logger LOG = LoggerFactory.getLogger(OverviewHistory.class);
    private static final String MINUTE = "m:";
    private static final String HOUR = "h:";

    private final VerdictStore store;
    private final Map<String, LongAdder> pending = new ConcurrentHashMap<>();
    private final AtomicLongArray pendingTtv = new AtomicLongArray(TimeToVerdict.BOUNDS_SECONDS.length + 1);
    private ScheduledExecutorService sampler;

    public OverviewHistory(VerdictStore store) {
        this.store = store;
    }

    /** Counts {@code n} events of a series in the current minute. */
    public void count(String series, long n) {
        pending.computeIfAbsent(series, k -> new LongAdder()).add(n);
    }

    /** A version reached its verdict this long after it was first seen. */
    public void timeToVerdict(Duration d) {
        pendingTtv.incrementAndGet(TimeToVerdict.bucketOf(d));
    }

    /** Writes the pending events and these gauges now, every {@code every}, and downsamples old buckets. */
    public synchronized void startSampling(Duration every, Supplier<Map<String, Long>> gauges,
                                           java.time.Clock clock) {
        if (sampler != null) {
            return;
        }
        sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "overview-history");
            t.setDaemon(true);
            return t;
        });
        sampler.scheduleWithFixedDelay(() -> {
            try {
                flush(clock.instant(), gauges.get());
            } catch (RuntimeException e) {
                LOG.warn("overview history sample failed (the next one retries)", e);
            }
        }, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Moves the counted events and the given gauges into the bucket of {@code now}. */
    public void flush(Instant now, Map<String, Long> gauges) {
        Map<String, Long> counters = new TreeMap<>();
        pending.forEach((k, v) -> {
            long n = v.sumThenReset();
            if (n != 0) {
                counters.put(k, n);
            }
        });
        long[] ttv = new long[pendingTtv.length()];
        for (int i = 0; i < ttv.length; i++) {
            ttv[i] = pendingTtv.getAndSet(i, 0);
        }
        record(now, new HistoryBucket(counters, gauges, ttv));
        downsample(now);
    }

    /** Adds a bucket's worth of data at {@code at} (minute resolution within {@link #MINUTES_KEPT}, hours before). */
    public synchronized void record(Instant at, HistoryBucket data) {
        boolean recent = at.isAfter(Instant.now().minus(MINUTES_KEPT));
        String key = recent ? MINUTE + keyOf(at, 60) : HOUR + keyOf(at, 3600);
        String old = store.history(key, key + "\u0000").get(key);
        HistoryBucket merged = old == null ? data : StoreJson.read(old, HistoryBucket.class).plus(data);
        store.changeHistory(Map.of(key, StoreJson.write(merged)), List.of());
    }

    /** Minute buckets past {@link #MINUTES_KEPT} become hour buckets; hour buckets past {@link #HOURS_KEPT} go. */
    synchronized void downsample(Instant now) {
        String cut = MINUTE + keyOf(now.minus(MINUTES_KEPT), 60);
        SortedMap<String, String> old = store.history(MINUTE, cut);
        Map<String, HistoryBucket> hours = new TreeMap<>();
        for (Map.Entry<String, String> e : old.entrySet()) {
            long sec = Long.parseLong(e.getKey().substring(MINUTE.length()));
            String hk = HOUR + keyOf(Instant.ofEpochSecond(sec), 3600);
            HistoryBucket b = StoreJson.read(e.getValue(), HistoryBucket.class);
            hours.merge(hk, b, HistoryBucket::plus);
        }
        List<String> remove = new ArrayList<>(old.keySet());
        remove.addAll(store.history(HOUR, HOUR + keyOf(now.minus(HOURS_KEPT), 3600)).keySet());
        if (hours.isEmpty() && remove.isEmpty()) {
            return;
        }
        Map<String, String> put = new LinkedHashMap<>();
        for (Map.Entry<String, HistoryBucket> e : hours.entrySet()) {
            String existing = store.history(e.getKey(), e.getKey() + "\u0000").get(e.getKey());
            HistoryBucket b = existing == null ? e.getValue() : StoreJson.read(existing, HistoryBucket.class).plus(e.getValue());
            put.put(e.getKey(), StoreJson.write(b));
        }
        store.changeHistory(put, remove);
    }

    /**
     * The history between {@code now - range} and {@code now} in about {@code points} steps: per
     * step the summed counters and last gauges; over the whole range the summed counters and the
     * time to verdict.
     */
    public Overview overview(Instant now, Duration range, int points) {
        long step = Math.max(60, range.toSeconds() / Math.max(1, points));
        step = step >= 3600 ? (step + 3599) / 3600 * 3600 : (step + 59) / 60 * 60;
        long to = start(now, step) + step;
        long from = to - step * (range.toSeconds() / step + 1);
        TreeMap<Long, HistoryBucket> steps = new TreeMap<>();
        for (String prefix : List.of(HOUR, MINUTE)) {
            for (Map.Entry<String, String> e : store.history(prefix + pad(from), prefix + pad(to)).entrySet()) {
                long sec = Long.parseLong(e.getKey().substring(prefix.length()));
                HistoryBucket b = StoreJson.read(e.getValue(), HistoryBucket.class);
                steps.merge(from + (sec - from) / step * step, b, HistoryBucket::plus);
            }
        }
        List<Overview.Point> out = new ArrayList<>();
        HistoryBucket total = HistoryBucket.empty();
        for (long t = from; t < to; t += step) {
            HistoryBucket b = steps.get(t);
            out.add(new Overview.Point(Instant.ofEpochSecond(t), b == null ? Map.of() : b.counters(),
                    b == null ? Map.of() : b.gauges()));
            if (b != null) {
                total = total.plus(b);
            }
        }
        Overview.Latency ttv = new Overview.Latency(TimeToVerdict.samples(total.ttv()),
                TimeToVerdict.percentileSeconds(total.ttv(), 50), TimeToVerdict.percentileSeconds(total.ttv(), 95));
        return new Overview(Instant.ofEpochSecond(from), Instant.ofEpochSecond(to), step, out, total.counters(), ttv);
    }

    private static long start(Instant at, long size) {
        return Math.floorDiv(at.getEpochSecond(), size) * size;
    }

    private static String pad(long sec) {
        return String.format("%012d", Math.max(0, sec));
    }

    private static String keyOf(Instant at, long size) {
        return pad(start(at, size));
    }

    @Override
    public synchronized void close() {
        if (sampler != null) {
            sampler.shutdown();
            try {
                sampler.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            sampler = null;
        }
    }
}

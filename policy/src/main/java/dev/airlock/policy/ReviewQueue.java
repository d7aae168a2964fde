package dev.airlock.policy;

import dev.airlock.model.PackageCoordinate;
import dev.airlock.policy.review.VersionPage;
import dev.airlock.policy.review.VersionQuery;
import dev.airlock.policy.review.VersionSort;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The admin listing: selects, sorts and pages the versions in the index. Stored verdicts are
 * current except where time alone changes them (a hold or minimum age running out, an override
 * expiring, the sandbox coming or going) or the rules changed since the last run; so a background
 * pass decides every version once after start and then, every {@link #REDECIDE}, the pending ones
 * and those with an override. A request never decides anything: a page of 100,000 versions costs
 * a filter and a partial sort.
 */
final class ReviewQueue implements AutoCloseable {
    /** Time-driven changes show in the listing within this. */
    static final java.time.Duration REDECIDE = java.time.Duration.ofSeconds(10);
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ReviewQueue.class);
    private final PolicyGate gate;
    private final VersionIndex index;
    private final java.util.concurrent.ScheduledExecutorService timer =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "review-queue-redecide");
                t.setDaemon(true);
                return t;
            });

    ReviewQueue(PolicyGate gate, VersionIndex index) {
        this.gate = gate;
        this.index = index;
        timer.execute(() -> redecide(v -> true));
        timer.scheduleWithFixedDelay(() -> redecide(v -> v.state() == VerdictState.PENDING || overridden(v.coordinate())),
                REDECIDE.toMillis(), REDECIDE.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private void redecide(java.util.function.Predicate<Verdict> which) {
        try {
            Instant now = gate.clock().instant();
            index.redecide(which, v -> gate.decide(v, now));
        } catch (RuntimeException e) {
            LOG.warn("re-deciding the listing failed (the next pass retries)", e);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    /** Every selected version, decided now, unsorted. */
    List<Verdict> select(VersionQuery q) {
        Instant now = gate.clock().instant();
        List<Verdict> out = new ArrayList<>();
        for (Verdict v : index.all()) {
            if (!q.matchesFacts(v, now)) {
                continue;
            }
            if (q.matchesDecision(v)) {
                out.add(v);
            }
        }
        return out;
    }

    VersionPage page(VersionQuery q, VersionSort sort, int offset, int limit) {
        if (offset < 0 || limit < 1) {
            throw new IllegalArgumentException("offset must be 0 or more and limit 1 or more");
        }
        List<Verdict> all = select(q);
        java.util.Comparator<Verdict> order = sort.comparator();
        long keep = (long) offset + limit;
        List<Verdict> sorted;
        if (keep < all.size() / 4) {
            // Only the first offset+limit matter: a bounded heap instead of sorting everything.
            java.util.PriorityQueue<Verdict> heap = new java.util.PriorityQueue<>(order.reversed());
            for (Verdict v : all) {
                heap.add(v);
                if (heap.size() > keep) {
                    heap.poll();
                }
            }
            sorted = new ArrayList<>(heap);
            sorted.sort(order);
        } else {
            all.sort(order);
            sorted = all;
        }
        int from = Math.min(offset, sorted.size());
        int to = Math.min(sorted.size(), from + limit);
        return new VersionPage(all.size(), from, sorted.subList(from, to));
    }

    /** How many known versions are in each state. */
    Map<VerdictState, Integer> countsByState() {
        Map<VerdictState, Integer> counts = new EnumMap<>(VerdictState.class);
        for (VerdictState s : VerdictState.values()) {
            counts.put(s, 0);
        }
        for (Verdict v : index.all()) {
            counts.merge(v.state(), 1, Integer::sum);
        }
        return counts;
    }

    private boolean overridden(PackageCoordinate c) {
        Map<String, AdminOverride> o = gate.overrides();
        return !o.isEmpty() && (o.containsKey(c.toString()) || o.containsKey(c.packageId().toString()));
    }
}

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
 * The admin listing: selects, sorts and pages the versions in the index, decided as of now.
 * Stored verdicts are current except where time alone changes them (a hold or minimum age
 * running out, an override expiring): those are pending verdicts and overridden packages, and
 * only those are decided again per request.
 */
final class ReviewQueue {
    private final PolicyGate gate;
    private final VersionIndex index;

    ReviewQueue(PolicyGate gate, VersionIndex index) {
        this.gate = gate;
        this.index = index;
    }

    /** Every selected version, decided now, unsorted. */
    List<Verdict> select(VersionQuery q) {
        Instant now = gate.clock().instant();
        List<Verdict> out = new ArrayList<>();
        for (Verdict v : index.all()) {
            if (!q.matchesFacts(v, now)) {
                continue;
            }
            Verdict d = current(v, now);
            if (q.matchesDecision(d)) {
                out.add(d);
            }
        }
        return out;
    }

    VersionPage page(VersionQuery q, VersionSort sort, int offset, int limit) {
        if (offset < 0 || limit < 1) {
            throw new IllegalArgumentException("offset must be 0 or more and limit 1 or more");
        }
        List<Verdict> all = select(q);
        all.sort(sort.comparator());
        int from = Math.min(offset, all.size());
        int to = Math.min(all.size(), from + limit);
        return new VersionPage(all.size(), from, all.subList(from, to));
    }

    /** How many stored versions are in each state: as stored, or decided now. */
    Map<VerdictState, Integer> countsByState(boolean decideNow) {
        Map<VerdictState, Integer> counts = new EnumMap<>(VerdictState.class);
        for (VerdictState s : VerdictState.values()) {
            counts.put(s, 0);
        }
        Instant now = gate.clock().instant();
        for (Verdict v : index.all()) {
            counts.merge(decideNow ? current(v, now).state() : v.state(), 1, Integer::sum);
        }
        return counts;
    }

    private Verdict current(Verdict v, Instant now) {
        if (v.state() == VerdictState.PENDING || overridden(v.coordinate())) {
            return gate.decide(v, now);
        }
        return v;
    }

    private boolean overridden(PackageCoordinate c) {
        Map<String, AdminOverride> o = gate.overrides();
        return !o.isEmpty() && (o.containsKey(c.toString()) || o.containsKey(c.packageId().toString()));
    }
}

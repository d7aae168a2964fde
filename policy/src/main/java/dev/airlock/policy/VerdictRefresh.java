package dev.airlock.policy;

import dev.airlock.model.PackageCoordinate;
import dev.airlock.model.PackageId;
import dev.airlock.policy.store.VerdictStore;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/** Re-decides the stored verdicts of a package after something they depend on changed (an override, a feed). */
final class VerdictRefresh {
    private final VerdictStore store;
    private final VerdictDecider decider;
    private final VerdictLocks locks;
    private final Clock clock;
    private final Consumer<PackageId> changed;

    VerdictRefresh(VerdictStore store, VerdictDecider decider, VerdictLocks locks, Clock clock, Consumer<PackageId> changed) {
        this.store = store;
        this.decider = decider;
        this.locks = locks;
        this.clock = clock;
        this.changed = changed;
    }

    /**
     * Re-decides and writes the verdicts of {@code id} that changed; {@code alsoRecord} names
     * versions to keep even though never seen (named by a feed). Returns the changed verdicts.
     */
    List<Verdict> refresh(PackageId id, Set<PackageCoordinate> alsoRecord) {
        Instant now = clock.instant();
        List<Verdict> out = new ArrayList<>();
        Map<PackageCoordinate, Verdict> stored = new LinkedHashMap<>();
        for (Verdict v : store.verdicts(id)) {
            stored.put(v.coordinate(), v);
        }
        for (PackageCoordinate c : alsoRecord) {
            if (c.packageId().equals(id) && !stored.containsKey(c)) {
                // Known only from a feed: kept without a first-seen time so it shows in the API by state.
                stored.put(c, new Verdict(c, VerdictState.PENDING, List.of(), now, "feed", null, null, false,
                        AnalysisStage.NONE, null, List.of(), null, List.of()));
            }
        }
        for (Map.Entry<PackageCoordinate, Verdict> e : stored.entrySet()) {
            synchronized (locks.of(e.getKey())) {
                // Re-read under the stripe: a result may have landed since the scan above.
                Verdict v = store.verdict(e.getKey()).filter(x -> x.firstSeen() != null).orElse(e.getValue());
                Verdict d = decider.decide(v, now);
                if (!d.equals(v)) {
                    // Derived from facts that are already committed (the override, the feed): the group commit suffices.
                    store.putVerdictSoon(d);
                    out.add(d);
                }
            }
        }
        changed.accept(id);
        return out;
    }
}

package dev.airlock.policy;

import dev.airlock.model.PackageCoordinate;
import dev.airlock.policy.store.VerdictStore;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * Every stored verdict in memory, kept current by the store's write listener, so that the admin
 * listing can filter, sort and page 100,000 versions without reading and parsing each one from
 * MapDB per request. Only verdicts live here; findings and reports stay in the stores.
 */
final class VersionIndex {
    private final Map<PackageCoordinate, Verdict> verdicts = new ConcurrentHashMap<>();
    private volatile BiConsumer<Verdict, Verdict> transitions = (before, after) -> { };

    private VersionIndex() {
    }

    /** Registers with the store first, then loads what it holds: a write during the scan is never lost. */
    static VersionIndex attach(VerdictStore store) {
        VersionIndex index = new VersionIndex();
        store.onVerdictWritten(index::written);
        store.forEachVerdict(v -> index.verdicts.putIfAbsent(v.coordinate(), v));
        return index;
    }

    /**
     * Replaces the entries {@code which} selects by what {@code decide} makes of them, unless the
     * store wrote a newer verdict meanwhile. Not a store write: no transition is reported.
     *
     * @return how many entries changed
     */
    int redecide(java.util.function.Predicate<Verdict> which, java.util.function.UnaryOperator<Verdict> decide) {
        int changed = 0;
        for (Map.Entry<PackageCoordinate, Verdict> e : verdicts.entrySet()) {
            Verdict v = e.getValue();
            if (!which.test(v)) {
                continue;
            }
            Verdict d = decide.apply(v);
            if (!d.equals(v) && verdicts.replace(e.getKey(), v, d)) {
                changed++;
            }
        }
        return changed;
    }

    /** Told of each change (previous verdict or null, new verdict); must be quick and not throw. */
    void onTransition(BiConsumer<Verdict, Verdict> listener) {
        this.transitions = listener;
    }

    private void written(Verdict v) {
        Verdict before = verdicts.put(v.coordinate(), v);
        transitions.accept(before, v);
    }

    Collection<Verdict> all() {
        return verdicts.values();
    }

    int size() {
        return verdicts.size();
    }
}

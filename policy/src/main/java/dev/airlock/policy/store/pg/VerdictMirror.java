package dev.airlock.policy.store.pg;

import dev.airlock.model.PackageCoordinate;
import dev.airlock.model.PackageId;
import dev.airlock.policy.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Consumer;

/**
 * Every verdict of the shared store in memory, each with the revision of the row it came from, so
 * the serving path never waits for the database. A value only replaces one of a lower revision:
 * notifications, the reconcile and this node's own writes may arrive in any order.
 */
final class VerdictMirror {
    /** A verdict and the {@code rev} of the row it is (or, for a sighting not yet written, is based on). */
    record Entry(Verdict verdict, long rev) {
    }

    private final Map<PackageCoordinate, Entry> byCoordinate = new ConcurrentHashMap<>();
    /** The same keys in text order, for a package's versions. */
    private final ConcurrentSkipListMap<String, PackageCoordinate> keys = new ConcurrentSkipListMap<>();

    Optional<Verdict> get(PackageCoordinate c) {
        Entry e = byCoordinate.get(c);
        return e == null ? Optional.empty() : Optional.of(e.verdict());
    }

    Entry entry(PackageCoordinate c) {
        return byCoordinate.get(c);
    }

    /**
     * Takes the value if it is newer than what is held ({@code force}: whatever is held, for a
     * value re-read after a rolled-back write).
     *
     * @return whether it was taken
     */
    boolean apply(Verdict v, long rev, boolean force) {
        PackageCoordinate c = v.coordinate();
        boolean[] taken = new boolean[1];
        byCoordinate.compute(c, (k, old) -> {
            if (old != null && !force && old.rev() >= rev) {
                return old;
            }
            taken[0] = true;
            return new Entry(v, rev);
        });
        if (taken[0]) {
            keys.putIfAbsent(c.toString(), c);
        }
        return taken[0];
    }

    /** A local sighting, ahead of its write: readers see it at once; its revision stays the one it is based on. */
    void putAhead(Verdict v) {
        PackageCoordinate c = v.coordinate();
        byCoordinate.compute(c, (k, old) -> new Entry(v, old == null ? 0 : old.rev()));
        keys.putIfAbsent(c.toString(), c);
    }

    List<Verdict> ofPackage(PackageId id) {
        String prefix = id + "@";
        List<Verdict> out = new ArrayList<>();
        for (PackageCoordinate c : keys.subMap(prefix, true, prefix + Character.MAX_VALUE, false).values()) {
            Entry e = byCoordinate.get(c);
            if (e != null) {
                out.add(e.verdict());
            }
        }
        return out;
    }

    void forEach(Consumer<Verdict> visitor) {
        for (PackageCoordinate c : keys.values()) {
            Entry e = byCoordinate.get(c);
            if (e != null) {
                visitor.accept(e.verdict());
            }
        }
    }

    long size() {
        return byCoordinate.size();
    }
}

package dev.airlock.policy;

import dev.airlock.model.ArtifactFile;
import dev.airlock.model.PackageCoordinate;
import dev.airlock.model.PackageId;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Downloads of held versions waiting (up to a deadline) for an analysis result. A result for
 * any version of the package wakes its waiters, which look at their verdict again; no thread
 * blocks while they wait.
 */
final class HoldWaits implements AutoCloseable {
    private final Map<PackageId, Set<CompletableFuture<Boolean>>> waiters = new ConcurrentHashMap<>();
    private final BiFunction<PackageCoordinate, ArtifactFile, Verdict> current;
    private final Function<Verdict, Decision> decisions;

    /**
     * @param current   the verdict of a file (or the version, file null) now, recording nothing
     * @param decisions how a verdict is answered
     */
    HoldWaits(BiFunction<PackageCoordinate, ArtifactFile, Verdict> current, Function<Verdict, Decision> decisions) {
        this.current = current;
        this.decisions = decisions;
    }

    /** The decision once the version no longer waits for its analysis, or at the deadline. */
    CompletableFuture<Decision> await(PackageCoordinate c, ArtifactFile file, long deadlineNanos) {
        CompletableFuture<Boolean> signal = new CompletableFuture<>();
        Set<CompletableFuture<Boolean>> set = waiters.computeIfAbsent(c.packageId(), k -> ConcurrentHashMap.newKeySet());
        set.add(signal);
        // Checked after registering so that a result arriving in between is not missed.
        Verdict v = current.apply(c, file);
        long remaining = deadlineNanos - System.nanoTime();
        if (!ServingDecisions.waitsForAnalysis(v) || remaining <= 0) {
            set.remove(signal);
            return CompletableFuture.completedFuture(decisions.apply(v));
        }
        return signal.completeOnTimeout(Boolean.FALSE, remaining, TimeUnit.NANOSECONDS).thenCompose(changed -> {
            set.remove(signal);
            if (Boolean.TRUE.equals(changed)) {
                return await(c, file, deadlineNanos);
            }
            return CompletableFuture.completedFuture(decisions.apply(current.apply(c, file)));
        });
    }

    /** Wakes downloads waiting on versions of this package. */
    void signal(PackageId id) {
        Set<CompletableFuture<Boolean>> set = waiters.get(id);
        if (set != null) {
            for (CompletableFuture<Boolean> f : set) {
                f.complete(Boolean.TRUE);
            }
        }
    }

    /** Number of downloads waiting for an analysis right now. */
    int waiting() {
        return waiters.values().stream().mapToInt(Set::size).sum();
    }

    @Override
    public void close() {
        for (Set<CompletableFuture<Boolean>> set : waiters.values()) {
            for (CompletableFuture<Boolean> f : set) {
                f.complete(Boolean.FALSE);
            }
        }
    }
}

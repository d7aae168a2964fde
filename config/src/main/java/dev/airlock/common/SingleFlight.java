package dev.airlock.common;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * One run per key however many callers ask at the same moment: the first caller starts it, the
 * others get the same future, and the key is free again as soon as the run ends (a later caller
 * starts afresh, so a failure is not remembered).
 *
 * <p>The run is started outside the map's locks: a run that finishes at once must be able to
 * remove itself (a {@code computeIfAbsent} whose function completes the future would re-enter the
 * map and fail with a recursive-update {@code IllegalStateException}). The future fails with the
 * run's own exception, not a {@link CompletionException} around it.
 */
public final class SingleFlight<K, V> {
    private final ConcurrentMap<K, CompletableFuture<V>> running = new ConcurrentHashMap<>();

    /** The run for {@code key}: the one in progress, or {@code work} started now on {@code executor}. */
    public CompletableFuture<V> run(K key, Executor executor, Callable<? extends V> work) {
        return start(key, () -> {
            CompletableFuture<V> done = new CompletableFuture<>();
            executor.execute(() -> {
                try {
                    done.complete(work.call());
                } catch (Throwable t) {
                    done.completeExceptionally(t);
                }
            });
            return done;
        });
    }

    /**
     * The run for {@code key}: the one in progress, or the stage {@code start} returns (called on
     * this thread, only by the caller that starts the run; what it throws fails the run).
     */
    public CompletableFuture<V> start(K key, Supplier<? extends CompletionStage<? extends V>> start) {
        CompletableFuture<V> existing = running.get(key);
        if (existing != null) {
            return existing;
        }
        CompletableFuture<V> mine = new CompletableFuture<>();
        existing = running.putIfAbsent(key, mine);
        if (existing != null) {
            return existing;
        }
        try {
            start.get().whenComplete((value, error) -> finish(key, mine, value, error));
        } catch (Throwable t) {
            finish(key, mine, null, t);
        }
        return mine;
    }

    /** Number of runs in progress. */
    public int inFlight() {
        return running.size();
    }

    private void finish(K key, CompletableFuture<V> mine, V value, Throwable error) {
        running.remove(key, mine);
        if (error == null) {
            mine.complete(value);
        } else {
            mine.completeExceptionally(error instanceof CompletionException && error.getCause() != null
                    ? error.getCause() : error);
        }
    }
}

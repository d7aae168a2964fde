package dev.airlock.policy;

import dev.airlock.analysis.AnalysisResult;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Runs each file's static check once, however many downloads ask for it at the same moment, on a
 * pool of its own (never a Netty event loop). The future a caller gets completes only after the
 * result was recorded, so the caller's next look at the verdict sees it.
 *
 * <p>The run is started outside the map's locks: a check that finishes at once must be able to
 * remove itself (a {@code computeIfAbsent} whose function completes the future would re-enter the
 * map and fail with a recursive-update {@code IllegalStateException}).
 */
final class StaticCheckRuns implements AutoCloseable {
    /** The check itself; may throw anything, which fails the run (never a verdict). */
    @FunctionalInterface
    interface Check {
        AnalysisResult run() throws Exception;
    }

    private final Map<String, CompletableFuture<AnalysisResult>> running = new ConcurrentHashMap<>();
    private final ExecutorService executor;

    StaticCheckRuns(int threads) {
        AtomicInteger n = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(Math.max(1, threads), r -> {
            Thread t = new Thread(r, "static-check-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * The run for {@code key}: the one in progress, or a new one that runs {@code check} and hands
     * its result to {@code record} before completing.
     */
    CompletableFuture<AnalysisResult> run(String key, Check check, Consumer<AnalysisResult> record) {
        CompletableFuture<AnalysisResult> existing = running.get(key);
        if (existing != null) {
            return existing;
        }
        CompletableFuture<AnalysisResult> mine = new CompletableFuture<>();
        existing = running.putIfAbsent(key, mine);
        if (existing != null) {
            return existing;
        }
        try {
            executor.execute(() -> {
                AnalysisResult result;
                try {
                    result = check.run();
                    record.accept(result);
                } catch (Throwable e) {
                    running.remove(key, mine);
                    mine.completeExceptionally(e);
                    return;
                }
                running.remove(key, mine);
                mine.complete(result);
            });
        } catch (RuntimeException e) {
            running.remove(key, mine);
            mine.completeExceptionally(e);
        }
        return mine;
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}

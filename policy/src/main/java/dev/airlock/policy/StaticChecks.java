package dev.airlock.policy;

import dev.airlock.analysis.AnalysisPriority;
import dev.airlock.analysis.AnalysisResult;
import dev.airlock.analysis.Recommendation;
import dev.airlock.common.SingleFlight;
import dev.airlock.model.ArtifactFile;
import dev.airlock.model.PackageCoordinate;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The static check of a version published before the hold window, on its first download: run
 * once per file on a pool of its own, waited for up to the configured time, recorded when it
 * finishes (even after the waiting download gave up: the next try is served from it). A version
 * that is not found malicious is then queued for its full analysis in the background.
 */
final class StaticChecks implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StaticChecks.class);
    private final StaticCheck check;
    private final Duration wait;
    private final AnalysisRecorder recorder;
    private final BackgroundSubmissions queue;
    private final ServingDecisions decisions;
    private final SingleFlight<String, AnalysisResult> runs = new SingleFlight<>();
    private final ExecutorService pool;

    StaticChecks(StaticCheck check, Duration wait, AnalysisRecorder recorder, BackgroundSubmissions queue,
                 ServingDecisions decisions) {
        this.check = check;
        this.wait = wait;
        this.recorder = recorder;
        this.queue = queue;
        this.decisions = decisions;
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()), r -> {
            Thread t = new Thread(r, "static-check-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Checks the stored artifact; the answer is {@code recorded}'s once the result is recorded,
     * a hold when the check failed or did not finish in time.
     */
    CompletionStage<Decision> check(PackageCoordinate c, ArtifactFile file, Path artifact, String sha256,
                                    Supplier<Decision> recorded) {
        String key = c + "|" + (file == null ? "" : file.name()) + "|" + sha256;
        // The future completes only after the result was recorded, so the caller's next look at the verdict sees it.
        queue.busy();
        CompletableFuture<AnalysisResult> run = runs.run(key, pool, () -> {
            try {
                AnalysisResult result = check.check(c, artifact);
                record(c, file, result, sha256);
                return result;
            } finally {
                queue.busy();
            }
        });
        // A copy per caller: one download giving up must not time the shared run out for the others.
        return run.copy().orTimeout(wait.toMillis(), TimeUnit.MILLISECONDS).handle((result, error) -> {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof TimeoutException) {
                return decisions.staticCheckPending(c);
            }
            if (cause != null) {
                LOG.warn("static check of {} failed: {}", c, cause.toString());
                return decisions.staticCheckFailed(c, cause);
            }
            return recorded.get();
        });
    }

    /** A recording failure fails the run, so the download is refused, never served unjudged. */
    private void record(PackageCoordinate c, ArtifactFile file, AnalysisResult result, String sha256) {
        recorder.record(c, file, result, AnalysisStage.STATIC, sha256 != null ? sha256 : result.sha256());
        if (result.recommendation() != Recommendation.MALICIOUS) {
            queue.submit(c, file, AnalysisPriority.BACKGROUND_SWEEP);
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
